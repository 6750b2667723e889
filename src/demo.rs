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
    // Local numbers as long as libphonenumber says they are under each area code (issue
    // 17): 8 digits, 7 in Lanzhou and Xiamen; starting 2–7 (some 8… ranges are not numbers). The
    // dice are drawn as before, so the rest of the generated data stays the same.
    let _ = dice.chance(90);
    let local_len = if ["0931", "0592"].contains(area) {
        7
    } else {
        8
    };
    let first = match 2 + dice.below(7) {
        8 => 6,
        d => d,
    };
    let landline = format!(
        "{area}-{first}{:0width$}",
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

/// One spare part of a category's catalogue: name (unique over the catalogue), spec, unit,
/// cost and sale price in fen (a price-list amount: whole yuan or .50), minimum stock, and
/// how often it is needed (1 rare … 4 often).
type DemoPart = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    i64,
    usize,
);

/// One fault of a category as a caller says it, the engineer's diagnosis, the work done,
/// and the part of the category it needs (index into its parts), if any.
type DemoFault = (&'static str, &'static str, &'static str, Option<usize>);

/// A product category: its name (the models' `category`), its faults, its spare parts,
/// and its labour fee (fen) for a repair.
struct DemoCategory {
    name: &'static str,
    faults: &'static [DemoFault],
    parts: &'static [DemoPart],
    labour: &'static [i64],
}

/// What each category breaks down with and is repaired with. A part's fault names the
/// part; every category has faults mended without a part (cleaning, adjusting).
const CATEGORIES: &[DemoCategory] = &[
    DemoCategory {
        name: "燃气热水器",
        faults: &[
            (
                "不点火",
                "点火针积碳、间隙过大",
                "更换点火针，试机点火正常",
                Some(0),
            ),
            (
                "开水不启动",
                "水流传感器失灵",
                "更换水流传感器，试机正常",
                Some(1),
            ),
            (
                "打火不着",
                "脉冲点火器电压不足",
                "更换脉冲点火器，试机正常",
                Some(2),
            ),
            (
                "水温忽高忽低",
                "燃气比例阀调节失灵",
                "更换燃气比例阀并调校火力",
                Some(3),
            ),
            (
                "风机异响",
                "风机轴承磨损",
                "更换风机，试机运行平稳",
                Some(4),
            ),
            (
                "显示E1",
                "主控板点火检测电路故障",
                "更换主控板，试机正常",
                Some(5),
            ),
            (
                "机身漏水",
                "热交换器渗漏",
                "更换热交换器，试压不漏",
                Some(6),
            ),
            (
                "水不热",
                "进水滤网堵塞、火力设置偏小",
                "清洗进水滤网，调整火力",
                None,
            ),
        ],
        parts: &[
            ("燃气热水器点火针", "陶瓷双针", "个", 1200, 2000, 6, 4),
            ("水流传感器", "霍尔式 G1/2", "个", 2800, 4800, 4, 3),
            ("脉冲点火器", "DC3V", "个", 3500, 5800, 3, 2),
            ("燃气比例阀", "DC12V", "个", 9500, 15000, 2, 2),
            ("燃气热水器风机", "直流 13-16L", "台", 16000, 24000, 2, 1),
            ("燃气热水器主控板", "JSQ25/30", "块", 18000, 26000, 2, 1),
            ("热交换器", "13-16L 无氧铜", "个", 32000, 45000, 1, 1),
        ],
        labour: &[6000, 8000, 10000],
    },
    DemoCategory {
        name: "电热水器",
        faults: &[
            ("不加热", "加热管烧断", "更换加热管，试机加热正常", Some(0)),
            ("水温过高", "温控器失灵", "更换温控器，调校温度", Some(1)),
            ("出水有异味", "镁棒耗尽", "更换镁棒，冲洗内胆", Some(2)),
            (
                "一开就跳闸",
                "漏电保护插头损坏",
                "更换漏电保护插头，绝缘测试合格",
                Some(3),
            ),
            ("安全阀滴水", "安全阀泄压口密封失效", "更换安全阀", Some(4)),
            ("显示屏不亮", "电脑板故障", "更换电脑板，试机正常", Some(5)),
            ("加热慢", "内胆水垢过多", "排污清洗内胆", None),
        ],
        parts: &[
            ("电热水器加热管", "2000W", "根", 4500, 7800, 4, 3),
            ("电热水器温控器", "75℃", "个", 1500, 2500, 4, 3),
            ("镁棒", "Φ22×400", "根", 2500, 4200, 6, 4),
            ("漏电保护插头", "16A", "个", 2800, 4800, 3, 2),
            ("安全阀", "0.75MPa", "个", 1800, 3000, 3, 2),
            ("电热水器电脑板", "DSZF", "块", 12000, 18000, 1, 1),
        ],
        labour: &[5000, 8000],
    },
    DemoCategory {
        name: "空调",
        faults: &[
            (
                "不制冷",
                "压缩机电容容量下降，压缩机不启动",
                "更换压缩机电容，试机制冷正常",
                Some(0),
            ),
            (
                "外机不转",
                "室外风机绕组烧坏",
                "更换室外风机，试机正常",
                Some(1),
            ),
            (
                "不制热",
                "四通阀卡滞",
                "更换四通阀，抽真空加注冷媒",
                Some(2),
            ),
            (
                "显示E1",
                "室内机主板通讯故障",
                "更换室内机主板，试机正常",
                Some(3),
            ),
            (
                "频繁停机",
                "室内温度传感器阻值漂移",
                "更换温度传感器",
                Some(4),
            ),
            ("遥控失灵", "遥控器损坏", "更换遥控器并配对", Some(5)),
            (
                "制冷效果差",
                "铜管焊口漏氟，冷媒不足",
                "补焊漏点，加注冷媒",
                Some(6),
            ),
            ("漏水", "排水管堵塞", "疏通排水管，清洗接水盘", None),
            ("异响", "外机固定螺丝松动", "紧固外机支架和螺丝", None),
        ],
        parts: &[
            ("压缩机电容", "35μF 450V", "个", 1800, 3000, 8, 4),
            ("室外风机", "YDK-35", "台", 22000, 32000, 2, 1),
            ("四通阀", "SHF-4H", "个", 9500, 15000, 2, 1),
            ("空调室内机主板", "KFR 变频", "块", 26000, 38000, 2, 1),
            ("室内温度传感器", "10K", "个", 900, 1500, 6, 3),
            ("空调遥控器", "原装", "个", 2500, 4500, 4, 2),
            (
                "冷媒 R32",
                "10kg 罐装，按千克领用",
                "千克",
                4500,
                7500,
                10,
                3,
            ),
        ],
        labour: &[8000, 10000, 15000],
    },
    DemoCategory {
        name: "冰箱",
        faults: &[
            (
                "冷冻室结霜",
                "化霜加热器烧断",
                "更换化霜加热器，试机化霜正常",
                Some(0),
            ),
            (
                "压缩机不停机",
                "温控器失灵",
                "更换温控器，调校温度",
                Some(1),
            ),
            (
                "冷藏不制冷",
                "冷冻风扇电机不转",
                "更换风扇电机，试机制冷正常",
                Some(2),
            ),
            ("门关不严", "门封条老化变形", "更换门封条", Some(3)),
            ("显示屏乱码", "主控板故障", "更换主控板，试机正常", Some(4)),
            (
                "压缩机不启动",
                "压缩机启动器损坏",
                "更换启动器，试机正常",
                Some(5),
            ),
            (
                "噪音大",
                "机脚不平，后背管路碰壳",
                "调平机脚，整理管路",
                None,
            ),
        ],
        parts: &[
            ("化霜加热器", "BCD-452", "根", 3500, 5800, 3, 3),
            ("冰箱温控器", "WDF", "个", 2200, 3800, 3, 2),
            ("冷冻风扇电机", "DC12V", "个", 4200, 7000, 3, 2),
            ("冰箱门封条", "冷藏室", "条", 3800, 6500, 2, 2),
            ("冰箱主控板", "BCD-452", "块", 21000, 30000, 1, 1),
            ("压缩机启动器", "PTC", "个", 1500, 2500, 4, 2),
        ],
        labour: &[8000, 10000],
    },
    DemoCategory {
        name: "洗衣机",
        faults: &[
            (
                "不排水",
                "排水泵叶轮卡死",
                "更换排水泵，试机排水正常",
                Some(0),
            ),
            ("门打不开", "门锁开关损坏", "更换门锁开关", Some(1)),
            ("不进水", "进水阀线圈烧坏", "更换进水阀，试机正常", Some(2)),
            ("脱水异响", "减震器失效", "更换减震器", Some(3)),
            ("显示E21", "电脑板故障", "更换电脑板，试机正常", Some(4)),
            ("门口漏水", "门封圈破损", "更换门封圈", Some(5)),
            ("脱水时跳动", "机器没有放平", "调整机脚，试机平稳", None),
        ],
        parts: &[
            ("洗衣机排水泵", "BPX2-8", "个", 3500, 6000, 3, 3),
            ("门锁开关", "延时门锁", "个", 2500, 4200, 3, 3),
            ("洗衣机进水阀", "双头", "个", 2800, 4800, 3, 2),
            ("减震器", "滚筒用", "根", 2200, 3800, 4, 2),
            ("洗衣机电脑板", "XQG100", "块", 19000, 28000, 1, 1),
            ("门封圈", "XQG100", "个", 6500, 10000, 2, 1),
        ],
        labour: &[6000, 8000],
    },
    DemoCategory {
        name: "油烟机",
        faults: &[
            ("噪音大", "风机电机轴承磨损", "更换风机电机", Some(0)),
            (
                "风机不转",
                "电机电容失效",
                "更换电机电容，试机正常",
                Some(1),
            ),
            ("按键失灵", "控制面板受潮损坏", "更换控制面板", Some(2)),
            (
                "吸力小",
                "止回阀卡住打不开",
                "更换止回阀，清洗风道",
                Some(3),
            ),
            ("滴油", "油杯破裂", "更换油杯", Some(4)),
            ("烟管漏烟", "烟管接口松脱", "重新安装烟管并密封", None),
        ],
        parts: &[
            ("油烟机风机电机", "YYK-200", "台", 16000, 24000, 1, 1),
            ("油烟机电机电容", "4μF", "个", 900, 1500, 5, 3),
            ("油烟机控制面板", "触摸式", "块", 8500, 13000, 2, 1),
            ("止回阀", "Φ160", "个", 1800, 3000, 3, 2),
            ("油杯", "侧吸式", "个", 900, 1500, 5, 2),
        ],
        labour: &[5000, 8000],
    },
    DemoCategory {
        name: "制冰机",
        faults: &[
            (
                "不出冰",
                "进水电磁阀不开",
                "更换进水电磁阀，试机出冰正常",
                Some(0),
            ),
            ("冰块不成型", "制冰水泵流量不足", "更换制冰水泵", Some(1)),
            ("冰块太薄", "冰厚探头失灵", "更换冰厚探头并调校", Some(2)),
            (
                "制冰慢",
                "冷凝风扇电机不转",
                "更换冷凝风扇电机，清洗冷凝器",
                Some(3),
            ),
            ("冰块有杂质", "前置滤芯到期", "更换前置滤芯", Some(4)),
            ("机底漏水", "水盘排水口堵塞", "疏通排水口，清洗水盘", None),
        ],
        parts: &[
            ("进水电磁阀", "FPD270", "个", 3200, 5500, 2, 2),
            ("制冰水泵", "15W", "台", 9000, 14000, 1, 1),
            ("冰厚探头", "ZKT", "个", 4500, 7500, 1, 1),
            ("冷凝风扇电机", "YZF10-20", "台", 6500, 10000, 1, 1),
            ("前置滤芯", "5μm", "支", 2800, 4500, 6, 3),
        ],
        labour: &[10000, 15000],
    },
    DemoCategory {
        name: "收款机",
        faults: &[
            (
                "打印不清",
                "打印头磨损",
                "更换打印头，打印测试清晰",
                Some(0),
            ),
            ("切纸不断", "切刀组件磨损", "更换切刀组件", Some(1)),
            (
                "无法开机",
                "电源适配器损坏",
                "更换电源适配器，开机正常",
                Some(2),
            ),
            ("钱箱打不开", "钱箱锁芯损坏", "更换钱箱锁", Some(3)),
            (
                "开机报错",
                "主板存储故障",
                "更换主板，重装税控程序",
                Some(4),
            ),
            ("客显不亮", "客显屏损坏", "更换客显屏", Some(5)),
            ("卡纸", "纸仓有异物", "清理纸仓，调整纸卷", None),
        ],
        parts: &[
            ("热敏打印头", "58mm", "个", 9500, 15000, 3, 3),
            ("切刀组件", "自动切刀", "套", 6000, 9800, 2, 2),
            ("电源适配器", "24V 2.5A", "个", 3500, 5800, 3, 2),
            ("钱箱锁", "钱箱用", "把", 1500, 2500, 2, 1),
            ("收款机主板", "SK-X7", "块", 28000, 39000, 1, 1),
            ("客显屏", "VFD", "块", 11000, 17000, 1, 1),
        ],
        labour: &[8000, 10000],
    },
];

/// The fault an order of a kind other than repair carries, and the work done.
fn kind_fault(kind: OrderKind) -> (&'static str, &'static str) {
    match kind {
        OrderKind::Maintenance => ("清洗保养", "清洗保养，检查管路和电气连接，试机正常"),
        OrderKind::Installation => ("新机安装", "安装调试完成，已向用户讲解使用方法"),
        OrderKind::Inspection => ("例行巡检", "巡检正常，已清洁机器"),
        _ => ("咨询使用方法", "电话指导用户操作，问题已解决"),
    }
}

/// The phrases an order of a kind other than repair carries, whatever the category.
pub const SERVICE_PHRASES: &[&str] = &["清洗保养", "新机安装", "例行巡检", "咨询使用方法"];

/// The fault phrases callers use for a category's machines (for tests and the intake).
pub fn category_faults(category: &str) -> Vec<&'static str> {
    CATEGORIES
        .iter()
        .filter(|c| c.name == category)
        .flat_map(|c| c.faults.iter().map(|f| f.0))
        .collect()
}

/// The spare parts' names of a category (for tests).
pub fn category_parts(category: &str) -> Vec<&'static str> {
    CATEGORIES
        .iter()
        .filter(|c| c.name == category)
        .flat_map(|c| c.parts.iter().map(|p| p.0))
        .collect()
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
        "燃气热水器",
        12,
        Some(("热交换器", 36)),
    ),
    (
        "JSQ30-16",
        "燃气热水器 16L",
        "燃气热水器",
        12,
        Some(("热交换器", 36)),
    ),
    (
        "DSZF-60",
        "电热水器 60L",
        "电热水器",
        24,
        Some(("内胆", 60)),
    ),
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
    (
        "XQG100-14",
        "滚筒洗衣机 10kg",
        "洗衣机",
        12,
        Some(("电机", 120)),
    ),
    ("CXW-200-A", "侧吸油烟机", "油烟机", 12, Some(("电机", 60))),
    ("ZKT-50", "商用制冰机", "制冰机", 12, None),
    ("SK-X7", "税控收款机", "收款机", 12, None),
];

const SERIAL_PREFIXES: &[&str] = &["GW", "HX", "MD", "SK", "AO", "RN"];

/// The demo's categories covered by 三包 (issue 21): household appliances of the 1995
/// list (燃气热水器, 空调器, 电冰箱, 洗衣机, 吸排油烟机); the electric water heater, the
/// commercial ice maker and the tax register are left without, so both kinds are seen.
const SANBAO_CATEGORIES: &[&str] = &["燃气热水器", "空调", "冰箱", "洗衣机", "油烟机"];

/// Adds the demo models unless they are there; returns their ids.
fn ensure_models(
    tx: &crate::platform::db::Db,
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
        let id = crate::archive::models::ModelId(tx.last_insert_rowid()?);
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
        if SANBAO_CATEGORIES.contains(category) {
            tx.execute("UPDATE product_model SET sanbao = 1 WHERE id = ?1", [id])?;
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

/// Working time laid end to end: the working hours of the working days from a first day
/// up to now (today's only up to now), so that a position in minutes along it is always a
/// moment inside working hours, and positions in order are moments in order.
struct WorkAxis {
    /// Per working day: when it starts (UTC) and the working minutes up to its end.
    days: Vec<(chrono::DateTime<chrono::Utc>, i64)>,
    total: i64,
    now: chrono::DateTime<chrono::Utc>,
}

impl WorkAxis {
    fn new(
        cal: &crate::people::calendar::Calendar,
        first: chrono::NaiveDate,
        now: chrono::DateTime<chrono::Utc>,
    ) -> WorkAxis {
        let today = now.with_timezone(&zone()).date_naive();
        let length = (cal.end - cal.start).num_minutes().max(1);
        let (mut days, mut total, mut day) = (Vec::new(), 0, first);
        while day <= today {
            if cal.is_working_day(day) {
                let start =
                    crate::platform::time::local(day, cal.start).with_timezone(&chrono::Utc);
                let minutes = (now - start).num_minutes().clamp(0, length);
                if minutes > 0 {
                    total += minutes;
                    days.push((start, total));
                }
            }
            day += chrono::Duration::days(1);
        }
        WorkAxis { days, total, now }
    }

    /// The moment `m` working minutes along (kept inside the axis), plus `seconds`.
    fn at(&self, m: i64, seconds: i64) -> chrono::DateTime<chrono::Utc> {
        if self.total < 2 {
            return self.now;
        }
        let m = m.clamp(0, self.total - 2);
        let i = self.days.partition_point(|&(_, end)| end <= m);
        let before = if i == 0 { 0 } else { self.days[i - 1].1 };
        self.days[i].0 + chrono::Duration::minutes(m - before) + chrono::Duration::seconds(seconds)
    }

    /// How many working minutes along `t` is (the start of its working day's time left
    /// out when `t` is outside working hours).
    fn position(&self, t: chrono::DateTime<chrono::Utc>) -> i64 {
        let i = self.days.partition_point(|&(start, _)| start <= t);
        if i == 0 {
            return 0;
        }
        let (start, end) = self.days[i - 1];
        let before = if i == 1 { 0 } else { self.days[i - 2].1 };
        (before + (t - start).num_minutes()).min(end - 1)
    }
}

fn zone() -> chrono::FixedOffset {
    crate::platform::time::zone()
}

/// Working days of the stock ledger's history: a little over a year, so that the same
/// month a year ago is complete.
const LEDGER_DAYS: i64 = 425;

/// Adds `parts` spare parts of the demo categories (a category's own parts, each priced
/// above its cost), a van store for each of the first five engineers, and `movements`
/// ledger movements through the same posting code the desk uses, oldest first, at
/// working times over the last fourteen months: opening stock, purchases when a part runs
/// low, issues for repairs, transfers to the vans, returns of unused parts. Every other
/// rarely needed part moved only in the first weeks (slow movers); about one part in seven
/// has not been bought again for four months and is below its minimum (low stock). In one
/// transaction; deterministic. For the demo database and the benchmarks.
pub fn fill_stock(desk: &mut Desk, parts: usize, movements: usize) -> Result<usize> {
    let mut dice = Dice(0x5EED_0004_0000_0003 ^ movements as u64);
    let (now, today) = (desk.now(), desk.today());
    let cal = crate::people::calendar::Calendar::load(desk.conn())?;
    let axis = WorkAxis::new(&cal, today - chrono::Duration::days(LEDGER_DAYS), now);
    let at = desk.stamp();
    let tx = desk.write()?;
    let first_part: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM part", [], |r| {
        r.get(0)
    })?;
    let catalogue: Vec<(usize, usize)> = CATEGORIES
        .iter()
        .enumerate()
        .flat_map(|(c, cat)| (0..cat.parts.len()).map(move |p| (c, p)))
        .collect();
    // Per generated part: id, min stock, profile (0 normal, 1 slow, 2 low), unit cost.
    let mut made: Vec<(i64, i64, u8, i64)> = Vec::with_capacity(parts);
    for i in 0..parts {
        let (c, p) = catalogue[i % catalogue.len()];
        let (category, variant) = (&CATEGORIES[c], i / catalogue.len());
        let (name, spec, unit, cost, price, min, _) = category.parts[p];
        // Later copies of a part are other makers' versions: cost a little different, same
        // margin, in whole yuan; the price rounded up to 50 fen.
        let cost = if variant == 0 {
            cost
        } else {
            (cost * (92 + dice.below(17) as i64) / 100 + 50) / 100 * 100
        };
        let price = if variant == 0 {
            price
        } else {
            (cost * price / category.parts[p].3 + 49) / 50 * 50
        };
        let spec = if variant == 0 {
            spec.to_string()
        } else {
            format!("{spec}（{}号供应商）", variant + 1)
        };
        let models: Vec<&str> = MODELS
            .iter()
            .filter(|m| m.2 == category.name)
            .map(|m| m.0)
            .collect();
        let id = first_part + i as i64;
        tx.prepare_cached(
            "INSERT INTO part (code, name, spec, unit, models, cost_fen, price_fen, barcode, bin, min_stock, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        )?
        .execute(rusqlite::params![
            format!("BJ{id:06}"),
            name,
            spec,
            unit,
            models.join(","),
            cost,
            price,
            format!("69{id:011}"),
            format!("{}-{:02}-{:02}", ["A", "B", "C", "D"][c % 4], 1 + p, 1 + variant % 10),
            min,
            at
        ])?;
        // Rarely needed parts are the ones left lying: every other one of them is slow.
        let profile = if category.parts[p].6 == 1 && i % 2 == 0 {
            1
        } else if i % 7 == 2 {
            2
        } else {
            0
        };
        made.push((id, min, profile, cost));
    }
    let mut stores: Vec<i64> = vec![1];
    for (v, (engineer, _)) in ENGINEERS.iter().enumerate().take(5) {
        stores.push(van(&tx, v, engineer, &at)?);
    }
    if parts == 0 {
        tx.commit()?;
        return Ok(0);
    }
    // Parts drawn by weight (how often each is needed); slow movers only at the start.
    let weighted: Vec<usize> = (0..parts)
        .filter(|&i| made[i].2 != 1)
        .flat_map(|i| {
            let (c, p) = catalogue[i % catalogue.len()];
            std::iter::repeat_n(i, CATEGORIES[c].parts[p].6)
        })
        .collect();
    let slow: Vec<usize> = (0..parts).filter(|&i| made[i].2 == 1).collect();
    let total = axis.total.max(1);
    // Low-stock parts are not bought again in the last four months.
    let restock_until = total - 4 * 21 * (cal.end - cal.start).num_minutes();
    let post = |tx: &crate::platform::db::Db,
                kind: MovementKind,
                (part_id, store_id): (i64, i64),
                (quantity, value): (i64, i64),
                (reference, note): (&str, &str),
                at: &crate::platform::time::Stamp| {
        crate::stock::ledger::post(
            tx,
            &crate::stock::ledger::Post {
                kind,
                part_id: crate::stock::parts::PartId(part_id),
                store_id: crate::stock::parts::StoreId(store_id),
                quantity,
                value_fen: value,
                reference,
                note,
                pair_id: None,
                reverses: None,
                stocktake_id: None,
            },
            at,
        )
    };
    let balance = |tx: &crate::platform::db::Db, part: i64, store: i64| {
        crate::stock::ledger::balance(
            tx,
            crate::stock::parts::PartId(part),
            crate::stock::parts::StoreId(store),
        )
    };
    // Per part: when and from which store it was last issued (a return follows one).
    let mut last_issue: Vec<Option<(i64, i64, u32)>> = vec![None; parts];
    let mut done = 0;
    while done < movements {
        // Positions in order: the n-th movement somewhere in the n-th slice of the axis.
        // (In seconds of working time, so that seconds too run in order.)
        let s = ((done as i128 * total as i128 * 60 + dice.below(total as usize * 60) as i128)
            / movements as i128) as i64;
        let m = s / 60;
        let when = axis.at(m, s % 60);
        let stamp_at = stamp(when);
        let day = when.with_timezone(&zone()).format("%y%m%d").to_string();
        let opening = done < parts;
        let i = if opening {
            done
        } else if m < total / 12 && dice.chance(3) && !slow.is_empty() {
            // A slow mover's issue in the first weeks, its last.
            *dice.pick(&slow)
        } else if weighted.is_empty() {
            dice.below(parts)
        } else {
            *dice.pick(&weighted)
        };
        let (part, min, profile, unit_cost) = made[i];
        let restock = profile != 2 || m < restock_until;
        let purchase = min.max(2) * 2 + dice.below(min.max(2) as usize) as i64;
        if opening {
            post(
                &tx,
                MovementKind::Receipt,
                (part, 1),
                (purchase, purchase * unit_cost),
                (&format!("QC{day}"), "期初入库"),
                &stamp_at,
            )?;
            done += 1;
            continue;
        }
        let store = if dice.chance(70) {
            1
        } else {
            *dice.pick(&stores)
        };
        let here = balance(&tx, part, store)?;
        let q = if dice.chance(80) { 1 } else { 2 };
        let main = if store == 1 || here.0 >= q {
            here
        } else {
            balance(&tx, part, 1)?
        };
        if store != 1 && here.0 < q {
            // A van running out is refilled from the main store, or the main store buys.
            if main.0 > q && done + 2 <= movements {
                let v = crate::stock::ledger::out_value(main, q);
                let reference = format!("DB{day}");
                post(
                    &tx,
                    MovementKind::TransferOut,
                    (part, 1),
                    (-q, -v),
                    (&reference, "补充车载库"),
                    &stamp_at,
                )?;
                post(
                    &tx,
                    MovementKind::TransferIn,
                    (part, store),
                    (q, v),
                    (&reference, "补充车载库"),
                    &stamp_at,
                )?;
                done += 2;
                continue;
            }
        } else if here.0 >= q && (store != 1 || main.0 > min || !restock || dice.chance(70)) {
            // (In the same month, so no month's report shows more back than out.)
            let month = chrono::Datelike::month(&when.with_timezone(&zone()));
            let lately = last_issue[i].is_some_and(|(at, store_was, month_was)| {
                store_was == store
                    && month_was == month
                    && m - at < 3 * (cal.end - cal.start).num_minutes()
            });
            if lately && dice.chance(12) {
                last_issue[i] = None;
                // An unused part comes back from a job it was drawn for days ago.
                let value = crate::stock::ledger::in_unit_cost(
                    &tx,
                    crate::stock::parts::PartId(part),
                    here,
                )?;
                post(
                    &tx,
                    MovementKind::Return,
                    (part, store),
                    (1, value),
                    (&format!("TL{day}"), "维修退料"),
                    &stamp_at,
                )?;
            } else {
                last_issue[i] = Some((m, store, month));
                post(
                    &tx,
                    MovementKind::Issue,
                    (part, store),
                    (-q, -crate::stock::ledger::out_value(here, q)),
                    (&format!("LL{day}"), "维修领料"),
                    &stamp_at,
                )?;
            }
            done += 1;
            continue;
        }
        // Bought: this part when it may be restocked, else a normal part that is short.
        let (part, min, _, unit_cost) = if restock {
            made[i]
        } else {
            let mut j = *dice.pick(&weighted);
            for _ in 0..20 {
                if made[j].2 == 0 {
                    break;
                }
                j = *dice.pick(&weighted);
            }
            made[j]
        };
        let purchase = min.max(2) * 2 + dice.below(min.max(2) as usize) as i64;
        post(
            &tx,
            MovementKind::Receipt,
            (part, 1),
            (purchase, purchase * unit_cost),
            (&format!("CG{day}"), "采购入库"),
            &stamp_at,
        )?;
        done += 1;
    }
    // The storekeeper's minimum for the parts not bought lately: above what is left, so
    // they are on the low-stock list.
    for &(part, min, profile, _) in &made {
        if profile == 2 {
            tx.prepare_cached(
                "UPDATE part SET min_stock = max(?2, (SELECT coalesce(sum(quantity), 0) FROM stock_balance
                     WHERE part_id = ?1) + 1 + ?3) WHERE id = ?1",
            )?
            .execute(rusqlite::params![part, min, dice.below(3) as i64])?;
        }
    }
    tx.commit()?;
    Ok(done)
}

/// The van store of the `v`-th engineer (made unless there).
fn van(
    tx: &crate::platform::db::Db,
    v: usize,
    engineer: &str,
    at: &crate::platform::time::Stamp,
) -> Result<i64> {
    let code = format!("VAN{:02}", v + 1);
    let id: Option<i64> = crate::platform::db::Optional::optional(tx.query_row(
        "SELECT id FROM store WHERE code = ?1",
        [&code],
        |r| r.get(0),
    ))?;
    Ok(match id {
        Some(id) => id,
        None => {
            tx.execute(
                "INSERT INTO store (code, name, kind, engineer, created_at) VALUES (?1, ?2, 'van', ?3, ?4)",
                rusqlite::params![code, format!("{engineer}车载库"), engineer, at],
            )?;
            tx.last_insert_rowid()?
        }
    })
}

/// The demo's service engineers and the cities they serve (two each, so every demo
/// customer's city has its engineer); the first five have vans.
pub const ENGINEERS: &[(&str, &str)] = &[
    ("王磊", "北京 沈阳"),
    ("李强", "济南 青岛"),
    ("张军", "上海 苏州"),
    ("刘洋", "杭州 南京"),
    ("陈刚", "广州 深圳"),
    ("赵鹏", "武汉 郑州"),
    ("孙浩", "成都 西安"),
    ("周杰", "厦门 兰州"),
];

/// Orders written per transaction by [`fill_orders`].
const ORDER_CHUNK: usize = 100_000;

/// Adds the demo engineers (unless there) and `orders` generated work orders over the past
/// three years for the machines there are, registered at working times and numbered per
/// year in time order, of which the newest `open` are still open; the rest mostly closed,
/// called back and paid, a few cancelled, a few owing. Each order's fault is one of its
/// model's category; a completed repair in the ledger's time uses a part of that category
/// drawn from the store for it (the ledger's issue, linked on the order), older ones only
/// count the part for the model. Visits fall in working hours, future ones in the coming
/// working days; complaints come in now and then and are answered. The engineer is the
/// one whose cities cover the customer's address. Written in transactions of
/// [`ORDER_CHUNK`] orders. For the demo database and the benchmarks.
pub fn fill_orders(desk: &mut Desk, orders: usize, open: usize) -> Result<usize> {
    let mut dice = Dice(0x5EED_0005_0000_0003 ^ orders as u64);
    let now = desk.now();
    let cal = crate::people::calendar::Calendar::load(desk.conn())?;
    let prefix = crate::people::settings::load(desk.conn())?.order_prefix;
    // A bigger page cache while millions of rows go in (restored below).
    // (SQLite only: PostgreSQL's cache is the server's.)
    let sqlite = desk.conn().engine() == crate::platform::db::Engine::Sqlite;
    if sqlite {
        desk.conn().execute_batch("PRAGMA cache_size = -1000000")?;
    }
    let filled = fill_orders_in(desk, orders, open, (now, &cal, &prefix), &mut dice);
    if sqlite {
        desk.conn().execute_batch("PRAGMA cache_size = -65536")?;
    }
    let filled = filled?;
    demo_claims(desk)?;
    Ok(filled)
}

/// A part drawn from a store for a repair (a ledger issue no order has used yet).
struct Drawn {
    movement: i64,
    part: usize,
    store: i64,
    quantity: i64,
    at: chrono::DateTime<chrono::Utc>,
}

/// A catalogue part in the database: id, category, index in it, price, code and name.
struct KnownPart {
    id: i64,
    category: usize,
    entry: usize,
    price: i64,
    label: String,
}

/// A machine: id, customer, model, the engineer whose cities cover its address, the day
/// it was bought and the last day of its whole-machine warranty.
type Machine = (
    i64,
    crate::archive::customers::CustomerId,
    i64,
    Option<usize>,
    Option<chrono::NaiveDate>,
    Option<chrono::NaiveDate>,
);

/// What the generator knows of the database before writing orders.
struct Known {
    engineers: Vec<i64>,
    machines: Vec<Machine>,
    /// Model id → category index.
    category: std::collections::HashMap<i64, usize>,
    parts: Vec<KnownPart>,
    /// (category, entry) → indexes into `parts`.
    by_entry: std::collections::HashMap<(usize, usize), Vec<usize>>,
    /// (category, store) → unused issues oldest first, and how many were looked past.
    drawn: std::collections::HashMap<(usize, i64), (Vec<Drawn>, usize)>,
    /// Engineer index → van store; van store → engineer index.
    vans: Vec<Option<i64>>,
}

fn known(tx: &crate::platform::db::Db, at: &crate::platform::time::Stamp) -> Result<Known> {
    use std::collections::HashMap;
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
    let words: Vec<(usize, String)> = ENGINEERS
        .iter()
        .enumerate()
        .flat_map(|(e, (_, region))| region.split(' ').map(move |w| (e, format!("{w}市"))))
        .collect();
    let machines = {
        let mut stmt = tx.prepare(
            "SELECT e.id, e.customer_id, e.model_id, c.address, e.purchase_date,
                    (SELECT date(e.purchase_date, '+' || w.months || ' months', '-1 day')
                     FROM warranty_policy w WHERE w.model_id = e.model_id AND w.component = '')
             FROM equipment e JOIN customer c ON c.id = e.customer_id ORDER BY e.id",
        )?;
        let rows = stmt.query_map([], |r| {
            let address: String = r.get(3)?;
            let covering = words
                .iter()
                .find(|(_, w)| address.contains(w.as_str()))
                .map(|(e, _)| *e);
            let day = |i: usize| -> rusqlite::Result<Option<chrono::NaiveDate>> {
                Ok(r.get::<_, Option<String>>(i)?
                    .and_then(|d| crate::platform::dates::parse(&d)))
            };
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, covering, day(4)?, day(5)?))
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut category = HashMap::new();
    {
        let mut stmt = tx.prepare("SELECT id, category FROM product_model")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (id, name) = row?;
            if let Some(c) = CATEGORIES.iter().position(|c| c.name == name) {
                category.insert(id, c);
            }
        }
    }
    let entries: HashMap<&str, (usize, usize)> = CATEGORIES
        .iter()
        .enumerate()
        .flat_map(|(c, cat)| {
            cat.parts
                .iter()
                .enumerate()
                .map(move |(p, part)| (part.0, (c, p)))
        })
        .collect();
    let mut parts = Vec::new();
    let mut by_entry: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    let mut index: HashMap<i64, usize> = HashMap::new();
    {
        let mut stmt = tx.prepare("SELECT id, code, name, price_fen FROM part ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (id, code, name, price) = row?;
            if let Some(&(c, p)) = entries.get(name.as_str()) {
                index.insert(id, parts.len());
                by_entry.entry((c, p)).or_default().push(parts.len());
                parts.push(KnownPart {
                    id,
                    category: c,
                    entry: p,
                    price,
                    label: format!("{code} {name}"),
                });
            }
        }
    }
    let mut vans = vec![None; ENGINEERS.len()];
    {
        let mut stmt = tx.prepare("SELECT id, code FROM store WHERE code LIKE 'VAN%'")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (id, code) = row?;
            if let Some(e) = code[3..]
                .parse::<usize>()
                .ok()
                .filter(|e| (1..=vans.len()).contains(e))
            {
                vans[e - 1] = Some(id);
            }
        }
    }
    let mut drawn: HashMap<(usize, i64), (Vec<Drawn>, usize)> = HashMap::new();
    {
        let mut stmt = tx.prepare(&format!(
            "SELECT m.id, m.part_id, m.store_id, -m.quantity, m.at FROM stock_movement m
             WHERE m.kind = '{}' AND m.id NOT IN (SELECT movement_id FROM order_part) ORDER BY m.id",
            MovementKind::Issue
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (movement, part_id, store, quantity, at) = row?;
            let (Some(&part), Some(at)) = (index.get(&part_id), crate::platform::time::parse(&at))
            else {
                continue;
            };
            drawn
                .entry((parts[part].category, store))
                .or_default()
                .0
                .push(Drawn {
                    movement,
                    part,
                    store,
                    quantity,
                    at,
                });
        }
    }
    Ok(Known {
        engineers,
        machines,
        category,
        parts,
        by_entry,
        drawn,
        vans,
    })
}

impl Known {
    /// The first unused part of `category` drawn from the main store or `engineer`'s van
    /// between `from` and `to`; parts drawn before `from` are passed by for good.
    fn draw(
        &mut self,
        category: usize,
        engineer: Option<usize>,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Option<Drawn> {
        let van = engineer.and_then(|e| self.vans[e]);
        let mut best: Option<(i64, chrono::DateTime<chrono::Utc>)> = None;
        for store in std::iter::once(1).chain(van) {
            if let Some((list, next)) = self.drawn.get_mut(&(category, store)) {
                while *next < list.len() && list[*next].at < from {
                    *next += 1;
                }
                if let Some(d) = list.get(*next).filter(|d| d.at <= to) {
                    if best.is_none_or(|(_, at)| d.at < at) {
                        best = Some((store, d.at));
                    }
                }
            }
        }
        let (store, _) = best?;
        let (list, next) = self.drawn.get_mut(&(category, store))?;
        let d = list.get_mut(*next)?;
        *next += 1;
        Some(Drawn {
            movement: d.movement,
            part: d.part,
            store: d.store,
            quantity: d.quantity,
            at: d.at,
        })
    }
}

/// A two-hour visit window in working hours starting at the hour of `t` (a working time).
fn visit(
    cal: &crate::people::calendar::Calendar,
    t: chrono::DateTime<chrono::Utc>,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let local = t.with_timezone(&zone());
    let hour = chrono::NaiveTime::from_hms_opt(chrono::Timelike::hour(&local), 0, 0)
        .unwrap_or(cal.start)
        .max(cal.start);
    window(cal, local.date_naive(), hour)
}

/// A visit from `from` on `day`, two hours long but ending when work ends.
fn window(
    cal: &crate::people::calendar::Calendar,
    day: chrono::NaiveDate,
    from: chrono::NaiveTime,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let from = crate::platform::time::local(day, from.max(cal.start));
    let end = crate::platform::time::local(day, cal.end);
    let to = (from + chrono::Duration::hours(2)).min(end);
    (
        from.with_timezone(&chrono::Utc),
        to.with_timezone(&chrono::Utc),
    )
}

/// A visit booked on one of the next three working days after `today`.
fn booked(
    cal: &crate::people::calendar::Calendar,
    today: chrono::NaiveDate,
    dice: &mut Dice,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let mut day = today;
    for _ in 0..=dice.below(3) {
        day += chrono::Duration::days(1);
        for _ in 0..30 {
            if cal.is_working_day(day) {
                break;
            }
            day += chrono::Duration::days(1);
        }
    }
    let hour = *dice.pick(&[9, 10, 13, 14, 15]);
    window(
        cal,
        day,
        chrono::NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(cal.start),
    )
}

const COMPLAINTS: &[(Cause, &str)] = &[
    (
        Cause::Timeliness,
        "约好上午上门，工程师下午三点才到，也没有提前打电话",
    ),
    (Cause::Quality, "修好没几天又出现同样的故障"),
    (Cause::Attitude, "工程师说话不耐烦，问什么都不解释"),
    (Cause::Fees, "收费比电话里说的高，也没有给收费明细"),
    (Cause::Parts, "换上的配件看着不像原装的"),
];

const CALLBACK_REMARKS: &[&str] = &["师傅很专业", "上门准时", "已正常使用", "收费合理", ""];

/// 工程师提成 (issue 21): the demo's one rule set, in force since before its first order
/// (only when the desk has none), so the commission report has figures in every period.
/// Per order kind and mode: per visit, labour and parts shares in basis points, first-visit
/// bonus, complaint and repeat deductions, money in fen.
fn commission_rules(
    tx: &crate::platform::db::Db,
    at: &crate::platform::time::Stamp,
    from: chrono::NaiveDate,
) -> Result<()> {
    /// Kind, mode, then the six figures of `commission_rule` in its column order.
    type DemoRule = (&'static str, &'static str, [i64; 6]);
    const RULES: &[DemoRule] = &[
        ("repair", "on_site", [3000, 1000, 500, 2000, 5000, 8000]),
        ("repair", "carry_in", [1000, 1000, 500, 1000, 5000, 8000]),
        ("repair", "phone_help", [200, 0, 0, 0, 2000, 0]),
        ("maintenance", "on_site", [2000, 800, 500, 0, 5000, 0]),
        ("installation", "on_site", [4000, 1000, 300, 0, 5000, 0]),
        ("inspection", "on_site", [1500, 0, 0, 0, 3000, 0]),
    ];
    let sets: i64 = tx.query_row("SELECT count(*) FROM commission_rule_set", [], |r| r.get(0))?;
    if sets > 0 {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO commission_rule_set (effective_from, note, created_at, created_by)
         VALUES (?1, '演示数据的提成方案', ?2, 'demo')",
        rusqlite::params![crate::platform::dates::show(from), at],
    )?;
    let set = tx.last_insert_rowid()?;
    for (kind, mode, [visit, labour, parts, first, complaint, repeat]) in RULES {
        tx.execute(
            "INSERT INTO commission_rule (set_id, kind, mode, visit_fen, labour_bp, parts_bp,
                 first_fix_fen, complaint_fen, repeat_fen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            rusqlite::params![set, kind, mode, visit, labour, parts, first, complaint, repeat],
        )?;
    }
    Ok(())
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
    use crate::orders::words::Opinion;
    let at = stamp(now);
    let today = now.with_timezone(&zone()).date_naive();
    let tx = desk.write()?;
    let mut k = known(&tx, &at)?;
    if k.machines.is_empty() || orders == 0 {
        tx.commit()?;
        return Ok(0);
    }
    // Every model starts with its category's faults as the common ones, most common first.
    for (&model, &c) in &k.category {
        for (n, fault) in CATEGORIES[c].faults.iter().enumerate() {
            tx.execute(
                "INSERT INTO model_fault (model_id, fault, uses) VALUES (?1, ?2, ?3)
                 ON CONFLICT (model_id, fault) DO NOTHING",
                rusqlite::params![model, fault.0, (CATEGORIES[c].faults.len() - n) as i64],
            )?;
        }
    }
    commission_rules(&tx, &at, today - chrono::Duration::days(4 * 365))?;
    let mut counters: std::collections::HashMap<i32, i64> = std::collections::HashMap::new();
    {
        let mut stmt = tx.prepare("SELECT year, last FROM order_counter")?;
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (year, last) = row?;
            counters.insert(year, last);
        }
    }
    tx.commit()?;
    let axis = WorkAxis::new(cal, today - chrono::Duration::days(3 * 365), now);
    let ledger_from = now - chrono::Duration::days(LEDGER_DAYS);
    let last = axis.total - 2;
    let day = (cal.end - cal.start).num_minutes().max(1);
    // The open orders came in over the last working hours (37 minutes apart), the rest before.
    let open_window = (open * 37 + 60) as i64;
    let span = (axis.total - open_window).max(1);
    let closed = orders.saturating_sub(open).max(1);
    // About one complaint a month at the demo's size, one in 150 orders at a big desk's.
    let gap = (orders / 60).clamp(8, 150);
    let mut since_complaint = 0;
    let mut start = 0;
    let sanbao = DemoSanbao::load(desk.conn())?;
    // In chunks: each commit lets the WAL be checkpointed, so no transaction outgrows the
    // page cache.
    while start < orders {
        let end = (start + ORDER_CHUNK).min(orders);
        let tx = desk.write()?;
        let before: i64 = tx.query_row("SELECT coalesce(max(id), 0) FROM work_order", [], |r| {
            r.get(0)
        })?;
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
            "INSERT INTO order_event (order_id, at, \"user\", kind, from_status, to_status, detail)
         VALUES (?1, ?2, '前台', ?3, ?4, ?5, ?6)",
        )?;
        let mut insert_fee = tx.prepare(
        "INSERT INTO fee_line (order_id, kind, description, amount_fen) VALUES (?1, ?3, ?4, ?2)",
    )?;
        let mut insert_payment = tx.prepare(
        "INSERT INTO payment (order_id, at, \"user\", method, amount_fen, note) VALUES (?1, ?2, '前台', ?3, ?4, '')",
    )?;
        let mut insert_part = tx.prepare(
            "INSERT INTO order_part (order_id, part_id, store_id, quantity, unit_price_fen, charged_fen,
                                     in_warranty, movement_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut insert_callback = tx.prepare(
            "INSERT INTO callback (order_id, created_at, due, overdue, status, done_at, solved, satisfaction, remarks)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let mut insert_attempt = tx.prepare(
            "INSERT INTO callback_attempt (callback_id, at, \"user\", reached, note) VALUES (?1, ?2, '前台', 1, ?3)",
        )?;
        let mut learn_part = tx.prepare(
            "INSERT INTO model_part (model_id, part_id, uses) VALUES (?1, ?2, 1)
         ON CONFLICT (model_id, part_id) DO UPDATE SET uses = model_part.uses + 1",
        )?;
        let mut learn_fault = tx.prepare(
            "INSERT INTO model_fault (model_id, fault, uses) VALUES (?1, ?2, 1)
         ON CONFLICT (model_id, fault) DO UPDATE SET uses = model_fault.uses + 1",
        )?;
        for i in start..end {
            // Oldest first, so numbers run in time order; the open ones are the newest.
            // Positions in seconds of working time, so that seconds too run in order.
            let is_open = i + open >= orders;
            let pc = if is_open {
                (axis.total - 1 - ((orders - i) * 37) as i64) * 60
            } else {
                let s = span as i128 * 60;
                ((i as i128 * s + dice.below(s as usize) as i128) / closed as i128) as i64
            };
            let created = axis.at(pc / 60, pc % 60);
            let pc = pc / 60;
            let local = created.with_timezone(&zone());
            let year = chrono::Datelike::year(&local);
            let n = counters.entry(year).or_insert(0);
            *n += 1;
            let number = format!("{prefix}{year}{:06}", n);
            // A machine already bought on the day of the call (a few tries).
            let mut picked = *dice.pick(&k.machines);
            for _ in 0..8 {
                if picked.4.is_none_or(|bought| bought <= local.date_naive()) {
                    break;
                }
                picked = *dice.pick(&k.machines);
            }
            let (machine, customer, model, covering, _, until) = picked;
            let category = k.category.get(&model).copied();
            let cancelled = !is_open && dice.chance(2);
            let kind = *dice.pick(&[
                OrderKind::Repair,
                OrderKind::Repair,
                OrderKind::Repair,
                OrderKind::Repair,
                OrderKind::Repair,
                OrderKind::Repair,
                OrderKind::Maintenance,
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
            let mut status = if is_open {
                *dice.pick(OrderStatus::OPEN)
            } else if cancelled {
                OrderStatus::Cancelled
            } else {
                OrderStatus::Closed
            };
            let done = !is_open && !cancelled;
            // The machine's own warranty on the day the call came in.
            let in_warranty = match until {
                Some(until) => local.date_naive() <= until,
                None => dice.chance(55),
            };
            let mut engineer = (status != OrderStatus::Registered
                && !(cancelled && dice.chance(50)))
            .then(|| covering.unwrap_or_else(|| dice.below(k.engineers.len())));
            // Started after a wait (a phone call is solved at once), done in an hour or two.
            let wait = match mode {
                Mode::PhoneHelp => 5 + dice.below(30),
                Mode::CarryIn => 60 + dice.below(1200),
                Mode::OnSite => 90 + dice.below(1500),
            } as i64;
            let mut ps = pc + wait;
            let mut pd = ps
                + if mode == Mode::PhoneHelp {
                    0
                } else {
                    30 + dice.below(120) as i64
                };
            // A repair in the ledger's time uses a part drawn for it from the store.
            let drawn = match category {
                Some(c) if done && kind == OrderKind::Repair && created > ledger_from => {
                    k.draw(c, engineer, created, created + chrono::Duration::days(4))
                }
                _ => None,
            };
            if let Some(d) = &drawn {
                ps = axis.position(d.at) + 10 + dice.below(50) as i64;
                pd = ps + 30 + dice.below(90) as i64;
                if let Some(e) = k.vans.iter().position(|v| *v == Some(d.store)) {
                    engineer = Some(e);
                }
            }
            let pd = pd.min(last);
            let ps = ps.min(pd);
            if done && pd > last - 2 * day {
                status = *dice.pick(&[OrderStatus::Completed, OrderStatus::CalledBack]);
            }
            let completed = done.then(|| axis.at(pd, dice.below(60) as i64));
            let started = match (completed, status) {
                (Some(_), _) => Some(axis.at(ps, 0)),
                (None, OrderStatus::InProgress | OrderStatus::WaitingParts) => {
                    Some(axis.at((pc + 30 + dice.below(60) as i64).min(last), 0))
                }
                _ => None,
            };
            // The fault as the caller said it, and what the engineer found and did.
            let (fault, diagnosis, work_done, part_fault) = match (kind, category) {
                (OrderKind::Repair, Some(c)) => {
                    let faults = CATEGORIES[c].faults;
                    let fits = |f: &&DemoFault| match &drawn {
                        Some(d) => f.3 == Some(k.parts[d.part].entry),
                        None if done && created > ledger_from => f.3.is_none(),
                        None => true,
                    };
                    let count = faults.iter().filter(fits).count().max(1);
                    let pick = dice.below(count);
                    let f = faults.iter().filter(fits).nth(pick).unwrap_or(&faults[0]);
                    (f.0, f.1, f.2, f.3.map(|p| (c, p)))
                }
                (OrderKind::Repair, None) => ("无法开机", "部件老化", "检修并试机正常", None),
                _ => {
                    let (fault, work) = kind_fault(kind);
                    (fault, "", work, None)
                }
            };
            let engineer_id = engineer.map(|e| k.engineers[e % k.engineers.len()]);
            let [confirm_due, reply_due, slip_due] = crate::orders::clocks::due(cal, created);
            // Fees out of warranty: the part at its price, the call-out, the labour.
            let mut fees: Vec<(FeeKind, i64)> = Vec::new();
            let charged = match &drawn {
                Some(d) if !in_warranty => k.parts[d.part].price * d.quantity,
                _ => 0,
            };
            if done && !in_warranty && kind != OrderKind::Consultation {
                if charged > 0 {
                    fees.push((FeeKind::Parts, charged));
                }
                if mode == Mode::OnSite {
                    fees.push((FeeKind::Callout, *dice.pick(&[3000, 5000])));
                }
                let labour = match (kind, category) {
                    (OrderKind::Repair, Some(c)) => *dice.pick(CATEGORIES[c].labour),
                    (OrderKind::Maintenance, _) => *dice.pick(&[8000, 12000]),
                    (OrderKind::Installation, _) => *dice.pick(&[15000, 20000]),
                    (OrderKind::Inspection, _) => 5000,
                    _ => 8000,
                };
                fees.push((FeeKind::Labour, labour));
            }
            let total: i64 = fees.iter().map(|f| f.1).sum();
            let paid = if total > 0 && !dice.chance(4) {
                total
            } else {
                0
            };
            let appointment = match (engineer, mode, status) {
                (Some(_), Mode::OnSite, OrderStatus::Dispatched | OrderStatus::WaitingParts) => {
                    Some(booked(cal, today, dice))
                }
                (Some(_), Mode::OnSite, _) => Some(visit(
                    cal,
                    started.unwrap_or_else(|| axis.at(ps.min(last), 0)),
                )),
                _ => None,
            };
            let assigned = (pc + 3 + dice.below(wait.max(1) as usize) as i64).min(ps);
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
                appointment.map(|a| stamp(a.0)),
                appointment.map(|a| stamp(a.1)),
                engineer_id,
                status,
                if done { diagnosis } else { "" },
                if done { work_done } else { "" },
                total,
                paid,
                stamp(created),
                completed.map(stamp),
                stamp(confirm_due),
                dice.chance(95)
                    .then(|| stamp(axis.at(pc + 1 + dice.below(3) as i64, 0))),
                stamp(reply_due),
                engineer_id.map(|_| stamp(axis.at(assigned, 0))),
                stamp(slip_due),
                completed.map(stamp),
                customer,
                started.map(stamp),
                started.is_some() as i64,
            ])?;
            let id = OrderId(tx.last_insert_rowid()?);
            insert_event.execute(rusqlite::params![
                id,
                stamp(created),
                crate::orders::EventKind::Created,
                None::<OrderStatus>,
                OrderStatus::Registered,
                fault
            ])?;
            demo_pause(&tx, cal, id, status, (created, started, completed))?;
            if kind == OrderKind::Repair {
                sanbao.copy(&tx, id, (machine, model, picked.4), local.date_naive())?;
            }
            if let Some(c) = completed {
                let mut detail =
                    format!("{work_done}；合计 {}", crate::platform::money::yuan(total));
                if let Some(d) = &drawn {
                    let part = &k.parts[d.part];
                    detail.push_str(&format!("；用料 {}×{}", part.label, d.quantity));
                    insert_part.execute(rusqlite::params![
                        id,
                        part.id,
                        d.store,
                        d.quantity,
                        part.price,
                        charged,
                        in_warranty as i64,
                        d.movement
                    ])?;
                    learn_part.execute(rusqlite::params![model, part.id])?;
                } else if let Some(entry) = part_fault.filter(|_| dice.chance(60)) {
                    // Before the ledger: the part is only counted for the model.
                    if let Some(list) = k.by_entry.get(&entry) {
                        learn_part.execute(rusqlite::params![
                            model,
                            k.parts[list[dice.below(list.len())]].id
                        ])?;
                    }
                }
                insert_event.execute(rusqlite::params![
                    id,
                    stamp(c),
                    crate::orders::EventKind::Completed,
                    OrderStatus::InProgress,
                    OrderStatus::Completed,
                    detail
                ])?;
                if status == OrderStatus::Completed {
                    // Completed in the last days and not called back yet: in the queue.
                    crate::followup::callbacks::open_for(&tx, id, kind, c, cal)?;
                } else if kind != OrderKind::Consultation {
                    let called = axis.at((pd + 200 + dice.below(700) as i64).min(last), 0);
                    let roll = dice.below(100);
                    let opinion = match roll {
                        0..82 => Opinion::Satisfied,
                        82..95 => Opinion::Basically,
                        _ => Opinion::Unsatisfied,
                    };
                    let remark = if opinion == Opinion::Unsatisfied {
                        "问题没有彻底解决"
                    } else {
                        *dice.pick(CALLBACK_REMARKS)
                    };
                    insert_callback.execute(rusqlite::params![
                        id,
                        stamp(c),
                        stamp(cal.add_days(c, 1)),
                        stamp(cal.add_days(c, 2)),
                        crate::followup::callbacks::CallbackStatus::Done,
                        stamp(called),
                        (opinion != Opinion::Unsatisfied) as i64,
                        opinion,
                        remark
                    ])?;
                    insert_attempt.execute(rusqlite::params![
                        tx.last_insert_rowid()?,
                        stamp(called),
                        remark
                    ])?;
                }
                since_complaint += 1;
                if since_complaint >= gap {
                    since_complaint = dice.below(gap / 2);
                    complain(
                        &tx,
                        (cal, &axis),
                        (customer, id, engineer_id.is_some()),
                        pd,
                        dice,
                    )?;
                }
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
            for (kind, amount) in fees {
                insert_fee.execute(rusqlite::params![id, amount, kind, kind.label()])?;
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
            insert_part,
            insert_callback,
            insert_attempt,
            learn_part,
            learn_fault,
        ));
        // Each order its status page's code (issue 20), as an order taken at the desk has.
        crate::orders::status_page::fill_missing(&tx, before)?;
        tx.commit()?;
        start = end;
    }
    let tx = desk.write()?;
    // One complaint waiting for its reply, so the day board shows what one looks like.
    if let Some(&(_, customer, ..)) = k.machines.first() {
        crate::followup::complaints::insert(
            &tx,
            cal,
            axis.at(axis.total - 120, 0),
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

/// A complaint about a completed order a little after it was done; answered (and, when
/// old enough, closed) at working times unless it is recent.
fn complain(
    tx: &crate::platform::db::Db,
    (cal, axis): (&crate::people::calendar::Calendar, &WorkAxis),
    (customer, order, has_engineer): (crate::archive::customers::CustomerId, OrderId, bool),
    done: i64,
    dice: &mut Dice,
) -> Result<()> {
    use crate::followup::words::ComplaintStatus;
    let last = axis.total - 2;
    let (cause, content) = *dice.pick(COMPLAINTS);
    let pos = (done + 60 + dice.below(900) as i64).min(last);
    let id = crate::followup::complaints::insert(
        tx,
        cal,
        axis.at(pos, dice.below(60) as i64),
        &crate::followup::complaints::CreateArgs {
            customer_id: customer,
            order_id: Some(order),
            engineer_id: None,
            against: if has_engineer && cause == Cause::Attitude {
                Against::Engineer
            } else {
                Against::Order
            }
            .to_string(),
            channel: ComplaintChannel::Phone.to_string(),
            cause: cause.to_string(),
            content: content.into(),
        },
    )?;
    let day = (cal.end - cal.start).num_minutes().max(1);
    if pos + day >= last {
        return Ok(());
    }
    let replied = stamp(axis.at(pos + 60 + dice.below(day as usize) as i64, 0));
    let justified = dice.chance(60);
    tx.prepare_cached(
        "UPDATE complaint SET handler = '主管李明', justified = ?2, measures = ?3, reply = ?4,
             replied_at = ?5, status = ?6, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        id,
        justified as i64,
        if justified {
            "已对工程师批评教育，安排免费复查"
        } else {
            "核实了服务记录，向客户说明情况"
        },
        "已致电客户致歉并说明处理结果",
        replied,
        ComplaintStatus::Replied
    ])?;
    let mut event = tx.prepare_cached(
        "INSERT INTO complaint_event (complaint_id, at, \"user\", kind, detail) VALUES (?1, ?2, '主管李明', ?3, ?4)",
    )?;
    event.execute(rusqlite::params![
        id,
        replied,
        ComplaintStatus::Replied.as_str(),
        if justified { "属实" } else { "不属实" }
    ])?;
    if pos + 10 * day < last {
        let closed = stamp(axis.at(pos + 6 * day, 0));
        tx.prepare_cached(
            "UPDATE complaint SET feedback = '客户表示满意', status = ?3, closed_at = ?2, updated_at = ?2
             WHERE id = ?1",
        )?
        .execute(rusqlite::params![id, closed, ComplaintStatus::Closed])?;
        event.execute(rusqlite::params![
            id,
            closed,
            ComplaintStatus::Closed.as_str(),
            "客户反馈：客户表示满意"
        ])?;
    }
    Ok(())
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
    Ok(crate::platform::db::Optional::optional(found)?)
}

/// The highest id of `table` (0 when empty) and the highest an earlier demo run left
/// marked for it in the audit trail (`demo` entries on `entity`; 0 without one).
fn demo_marks(desk: &Desk, table: &str, entity: &str) -> Result<(i64, i64)> {
    let conn = desk.conn();
    let highest: i64 = conn.query_row(
        &format!("SELECT coalesce(max(id), 0) FROM {table}"),
        [],
        |r| r.get(0),
    )?;
    let marked: i64 = conn.query_row(
        "SELECT coalesce(max(entity_id), 0) FROM audit_entry WHERE action = 'demo' AND entity = ?1",
        [entity],
        |r| r.get(0),
    )?;
    Ok((highest, marked))
}

/// Refuses a data folder that holds real data: demo data goes only into an empty folder
/// or one that only a demo run has filled. Real data is an account or a customer that was
/// not there when the last demo run ended ([`mark_demo`] records the highest of each), or
/// an account whose login is not one of [`DEMO_USERS`]. A real desk that has its first
/// administrator and no customer yet is refused too: the demo's `admin` with its known
/// password would otherwise be added to it.
pub fn refuse_real_data(desk: &Desk) -> Result<()> {
    use crate::platform::error::Error;
    let (users, users_marked) = demo_marks(desk, "app_user", "user")?;
    let (customers, customers_marked) = demo_marks(desk, "customer", "customer")?;
    let mut stmt = desk.conn().prepare("SELECT login FROM app_user")?;
    let foreign = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .find(|login| !DEMO_USERS.iter().any(|u| u.0 == login));
    let refuse = |what: String| {
        Err(Error::invalid(
            "data_dir",
            format!(
                "这个数据文件夹里已有真实数据（{what}），演示数据不能加进去：请用 --data-dir 指定一个新的空文件夹"
            ),
        ))
    };
    if let Some(login) = foreign {
        return refuse(format!("账号 {login}"));
    }
    if users > users_marked {
        return refuse("不是演示程序建立的账号".into());
    }
    if customers > customers_marked {
        return refuse("不是演示程序建立的客户".into());
    }
    Ok(())
}

/// Records in the audit trail what this demo run leaves (the highest account and customer
/// ids), so that a later run can tell them from real data ([`refuse_real_data`]).
pub fn mark_demo(desk: &mut Desk) -> Result<()> {
    let (users, _) = demo_marks(desk, "app_user", "user")?;
    let (customers, _) = demo_marks(desk, "customer", "customer")?;
    let at = desk.stamp();
    let tx = desk.write()?;
    crate::people::audit::record(
        &tx,
        &at,
        "demo",
        "user",
        users,
        &format!("演示数据：演示账号（密码 {DEMO_PASSWORD}）"),
    )?;
    crate::people::audit::record(
        &tx,
        &at,
        "demo",
        "customer",
        customers,
        "演示数据：客户档案",
    )?;
    tx.commit()?;
    Ok(())
}

/// The 三包 verdict a repair order of a covered model is registered with (issue 21), as
/// `orders::create` copies it: computed on the day of the call from the machine's
/// purchase date and its repair orders written so far (the orders are written oldest
/// first). The dice are not drawn.
struct DemoSanbao {
    ctx: crate::archive::sanbao::Context,
    /// Covered model id → its policies.
    models: std::collections::HashMap<i64, Vec<crate::archive::warranty::Policy>>,
}

impl DemoSanbao {
    fn load(conn: &crate::platform::db::Db) -> Result<DemoSanbao> {
        let ids: Vec<i64> = {
            let mut stmt = conn.prepare("SELECT id FROM product_model WHERE sanbao = 1")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut models = std::collections::HashMap::new();
        for id in ids {
            let policies =
                crate::archive::models::policies(conn, crate::archive::models::ModelId(id))?;
            models.insert(id, policies);
        }
        Ok(DemoSanbao {
            ctx: crate::archive::sanbao::Context::load(conn)?,
            models,
        })
    }

    fn copy(
        &self,
        tx: &crate::platform::db::Db,
        id: OrderId,
        (machine, model, purchase): (i64, i64, Option<chrono::NaiveDate>),
        day: chrono::NaiveDate,
    ) -> Result<()> {
        let Some(policies) = self.models.get(&model) else {
            return Ok(());
        };
        let v = crate::archive::sanbao::of(
            tx,
            &self.ctx,
            (crate::archive::equipment::EquipmentId(machine), purchase),
            policies,
            day,
            None,
        )?;
        tx.prepare_cached(
            "UPDATE work_order SET sanbao_remedy = ?2, sanbao_until = ?3, sanbao_reason = ?4 WHERE id = ?1",
        )?
        .execute(rusqlite::params![id, v.remedy, v.until, v.reason])?;
        Ok(())
    }
}

/// The brands of the demo's categories (厂家索赔, issue 21): the maker the centre repairs
/// that category for under its warranty.
const DEMO_BRANDS: &[(&str, &str)] = &[
    ("燃气热水器", "万和"),
    ("电热水器", "海尔"),
    ("空调", "格力"),
    ("冰箱", "美的"),
    ("洗衣机", "小天鹅"),
    ("油烟机", "方太"),
];

/// The most claims the demo writes (the benchmarks fill millions of orders).
const DEMO_CLAIMS: usize = 5000;

/// The demo's claims to the brands (issue 21): each brand's rate card, and a claim for
/// every in-warranty order of its models done in the fifteen months before now that used
/// no in-warranty part (those wait for their defective parts and stay offered to claim).
/// A month's batch is submitted on its due day, answered twelve days later (one claim in
/// eight partly approved, one in twenty rejected, with their reasons), paid twenty days
/// after that, each step only once its day is past; written as `claims` writes them, with
/// the timeline, in one transaction.
fn demo_claims(desk: &mut Desk) -> Result<usize> {
    use crate::claims::words::{ClaimStatus, LineKind};
    use chrono::Datelike;
    let now = desk.now();
    let cal = crate::people::calendar::Calendar::load(desk.conn())?;
    let zone = zone();
    let at = stamp(now);
    let tx = desk.write()?;
    let existing: i64 = tx.query_row("SELECT count(*) FROM brand", [], |r| r.get(0))?;
    if existing > 0 {
        return Ok(0);
    }
    let rates: &[(OrderKind, i64)] = &[
        (OrderKind::Repair, 6000),
        (OrderKind::Maintenance, 3000),
        (OrderKind::Installation, 4500),
        (OrderKind::Inspection, 2000),
    ];
    let mut brand_of: std::collections::HashMap<String, (i64, String)> = Default::default();
    for (category, name) in DEMO_BRANDS {
        tx.execute(
            "INSERT INTO brand (name, submit_workdays, created_at, updated_at) VALUES (?1, 5, ?2, ?2)",
            rusqlite::params![name, at],
        )?;
        let id = tx.last_insert_rowid()?;
        for (kind, fen) in rates {
            tx.execute(
                "INSERT INTO brand_rate (brand_id, kind, fault_category, labour_fen) VALUES (?1, ?2, '', ?3)",
                rusqlite::params![id, kind, fen],
            )?;
        }
        tx.execute(
            "INSERT INTO brand_model (model_id, brand_id) SELECT id, ?1 FROM product_model WHERE category = ?2",
            rusqlite::params![id, category],
        )?;
        brand_of.insert(category.to_string(), (id, name.to_string()));
    }
    let since = stamp(now - chrono::Duration::days(460));
    let local_now = now.with_timezone(&zone);
    let this_month = local_now.format("%Y-%m").to_string();
    let rows: Vec<(i64, String, String, OrderKind, String, String)> = {
        let mut stmt = tx.prepare(&format!(
            "SELECT o.id, o.number, o.completed_at, o.kind, o.fault_category, m.category
             FROM work_order o JOIN product_model m ON m.id = o.model_id
             JOIN brand_model bm ON bm.model_id = o.model_id
             WHERE o.completed_at >= ?1 AND o.status IN {} AND o.warranty = ?2
               AND o.kind IN ('{}', '{}', '{}', '{}')
               AND NOT EXISTS (SELECT 1 FROM order_part p WHERE p.order_id = o.id AND p.in_warranty = 1)
             ORDER BY o.completed_at, o.id LIMIT {DEMO_CLAIMS}",
            OrderStatus::sql_list(OrderStatus::DONE),
            OrderKind::Repair,
            OrderKind::Maintenance,
            OrderKind::Installation,
            OrderKind::Inspection,
        ))?;
        let rows = stmt.query_map(
            rusqlite::params![since, crate::archive::warranty::Status::In],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut n = 0;
    for (order, number, completed, kind, category, model_category) in rows {
        let Some((brand, _)) = brand_of.get(&model_category) else {
            continue;
        };
        let Some(done) = crate::platform::time::parse(&completed) else {
            continue;
        };
        let local = done.with_timezone(&zone);
        let month = local.format("%Y-%m").to_string();
        let first = chrono::NaiveDate::from_ymd_opt(local.year(), local.month(), 1)
            .unwrap_or(local.date_naive());
        let labour = rates
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, f)| *f)
            .unwrap_or(0);
        let created = stamp(done + chrono::Duration::hours(20));
        let due = crate::claims::due(&cal, first, 5);
        let submitted = crate::platform::time::local(
            due,
            chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default(),
        )
        .with_timezone(&chrono::Utc);
        let settled = submitted + chrono::Duration::days(12) + chrono::Duration::hours(5);
        let paid = settled + chrono::Duration::days(20);
        let past = |t: chrono::DateTime<chrono::Utc>| t <= now && month != this_month;
        let (status, approved, reason) = if !past(submitted) {
            (ClaimStatus::Draft, None, "")
        } else if !past(settled) {
            (ClaimStatus::Submitted, None, "")
        } else if order % 20 == 7 {
            (ClaimStatus::Rejected, Some(0), "超出保修范围：人为损坏")
        } else if order % 8 == 3 {
            (
                ClaimStatus::Partly,
                Some(labour * 8 / 10),
                "工时按厂家标准核减",
            )
        } else if past(paid) {
            (ClaimStatus::Paid, Some(labour), "")
        } else {
            (ClaimStatus::Approved, Some(labour), "")
        };
        // A partly approved claim is paid too, once its day is past.
        let status = if status == ClaimStatus::Partly && past(paid) {
            ClaimStatus::Paid
        } else {
            status
        };
        tx.execute(
            "INSERT INTO claim (brand_id, order_id, month, status, labour_fen, parts_fen, claimed_fen,
                 approved_fen, reason, paid_on, created_at, submitted_at, settled_at, paid_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            rusqlite::params![
                brand,
                order,
                month,
                status,
                labour,
                approved,
                reason,
                (status == ClaimStatus::Paid)
                    .then(|| crate::platform::dates::show(paid.with_timezone(&zone).date_naive())),
                created,
                (status != ClaimStatus::Draft).then(|| stamp(submitted)),
                approved.map(|_| stamp(settled)),
                (status == ClaimStatus::Paid).then(|| stamp(paid)),
            ],
        )?;
        let claim = tx.last_insert_rowid()?;
        let description = if category.is_empty() {
            format!("{}工时", kind.label())
        } else {
            format!("{}工时（{category}）", kind.label())
        };
        tx.execute(
            "INSERT INTO claim_line (claim_id, kind, description, quantity, returned, amount_fen)
             VALUES (?1, ?2, ?3, 1, 1, ?4)",
            rusqlite::params![claim, LineKind::Labour, description, labour],
        )?;
        let yuan = crate::platform::money::yuan;
        let mut events = vec![(
            created.clone(),
            None,
            ClaimStatus::Draft,
            format!("工单 {number}：工时费 {}，备件费 ¥0.00", yuan(labour)),
        )];
        if status != ClaimStatus::Draft {
            events.push((
                stamp(submitted),
                Some(ClaimStatus::Draft),
                ClaimStatus::Submitted,
                format!("索赔 {}", yuan(labour)),
            ));
        }
        if let Some(a) = approved {
            let answer = if status == ClaimStatus::Paid && a == labour {
                ClaimStatus::Approved
            } else if status == ClaimStatus::Paid {
                ClaimStatus::Partly
            } else {
                status
            };
            let detail = match answer {
                ClaimStatus::Rejected => format!("驳回：{reason}"),
                ClaimStatus::Partly => format!(
                    "核准 {}（索赔 {}，核减 {}）：{reason}",
                    yuan(a),
                    yuan(labour),
                    yuan(labour - a)
                ),
                _ => format!("核准 {}", yuan(a)),
            };
            events.push((stamp(settled), Some(ClaimStatus::Submitted), answer, detail));
            if status == ClaimStatus::Paid {
                let day = crate::platform::dates::show(paid.with_timezone(&zone).date_naive());
                events.push((
                    stamp(paid),
                    Some(answer),
                    ClaimStatus::Paid,
                    format!("{day} 回款 {}", yuan(a)),
                ));
            }
        }
        for (at, from, to, detail) in events {
            tx.execute(
                "INSERT INTO claim_event (claim_id, at, \"user\", from_status, to_status, detail)
                 VALUES (?1, ?2, '库管', ?3, ?4, ?5)",
                rusqlite::params![claim, at, from, to, detail],
            )?;
        }
        n += 1;
    }
    tx.commit()?;
    Ok(n)
}

/// The demo's pauses (issue 21), chosen by the order's id so that the dice's draws, and so
/// every other figure of the demo, stay as they were: an order waiting for parts is paused
/// for them since work started; one done order in seven waited in the middle of its work
/// (for parts, or for a customer who did not answer, was not home or had a quote to
/// approve), its slip clock's due time moved on by the working time it waited, as
/// `orders::pauses` does.
fn demo_pause(
    tx: &crate::platform::db::Db,
    cal: &crate::people::calendar::Calendar,
    id: OrderId,
    status: OrderStatus,
    (created, started, completed): (
        chrono::DateTime<chrono::Utc>,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<chrono::DateTime<chrono::Utc>>,
    ),
) -> Result<()> {
    use crate::orders::words::{EventKind, PauseReason};
    let insert = |reason: PauseReason, from: chrono::DateTime<chrono::Utc>| -> Result<()> {
        tx.prepare_cached(
            "INSERT INTO order_pause (order_id, reason, started_at, started_by) VALUES (?1, ?2, ?3, '前台')",
        )?
        .execute(rusqlite::params![id, reason, stamp(from)])?;
        tx.prepare_cached(
            "INSERT INTO order_event (order_id, at, \"user\", kind, detail) VALUES (?1, ?2, '前台', ?3, ?4)",
        )?
        .execute(rusqlite::params![id, stamp(from), EventKind::Paused, reason.label()])?;
        Ok(())
    };
    if status == OrderStatus::WaitingParts {
        return insert(PauseReason::Parts, started.unwrap_or(created));
    }
    let Some(done) = completed.filter(|_| id.0 % 7 == 3) else {
        return Ok(());
    };
    let span = done - created;
    if span < chrono::Duration::hours(2) {
        return Ok(());
    }
    let reason = PauseReason::ALL[(id.0 / 7) as usize % PauseReason::ALL.len()];
    let (from, to) = (created + span / 4, created + span * 3 / 4);
    insert(reason, from)?;
    let covered = cal.working_between(from, to);
    tx.prepare_cached(
        "UPDATE order_pause SET ended_at = ?2, ended_by = '前台', working_seconds = ?3
         WHERE order_id = ?1 AND ended_at IS NULL",
    )?
    .execute(rusqlite::params![id, stamp(to), covered.num_seconds()])?;
    let slip_due: String =
        tx.query_row("SELECT slip_due FROM work_order WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
    if let Some(due) = crate::platform::time::parse(&slip_due) {
        tx.prepare_cached("UPDATE work_order SET slip_due = ?2 WHERE id = ?1")?
            .execute(rusqlite::params![id, stamp(cal.add_working(due, covered))])?;
    }
    tx.prepare_cached(
        "INSERT INTO order_event (order_id, at, \"user\", kind, detail) VALUES (?1, ?2, '前台', ?3, ?4)",
    )?
    .execute(rusqlite::params![
        id,
        stamp(to),
        EventKind::Resumed,
        format!(
            "{}，暂停工作时间 {}",
            reason.label(),
            crate::orders::pauses::working_text(covered)
        )
    ])?;
    Ok(())
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

    #[test]
    fn the_catalogue_holds_together() {
        let mut names = std::collections::HashSet::new();
        for c in CATEGORIES {
            assert!(
                MODELS.iter().any(|m| m.2 == c.name),
                "{} has no model",
                c.name
            );
            for (p, part) in c.parts.iter().enumerate() {
                assert!(names.insert(part.0), "{} twice", part.0);
                assert!(
                    part.4 * 100 >= part.3 * 120 && part.4 * 100 <= part.3 * 180,
                    "{}",
                    part.0
                );
                assert!(part.3 % 100 == 0 && part.4 % 50 == 0, "{}", part.0);
                assert!(
                    c.faults.iter().any(|f| f.3 == Some(p)),
                    "no fault needs {}",
                    part.0
                );
            }
            assert!(
                c.faults.iter().any(|f| f.3.is_none()),
                "{}: every fault needs a part",
                c.name
            );
            assert!(c
                .faults
                .iter()
                .all(|f| f.3.is_none_or(|p| p < c.parts.len())));
        }
        for m in MODELS {
            assert!(
                CATEGORIES.iter().any(|c| c.name == m.2),
                "{} has no category",
                m.0
            );
        }
    }
}
