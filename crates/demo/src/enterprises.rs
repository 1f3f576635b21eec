//! Deterministic, realistic enterprises (污染源企业) for the demo and for
//! benchmarks: `yici demo` registers a few thousand of them, `yici demo
//! --enterprises 200000` a benchmark-sized registry.
//!
//! The stream is a pure function of the index: [`enterprise`]`(n)` seeds a small
//! self-contained PRNG (splitmix64) from `n`, so the output is identical on
//! every machine and across dependency versions, and batches can be generated
//! independently and in parallel.
//!
//! - Geography: ~45 % in 玉田县, ~35 % in the other Tangshan counties
//!   (weighted towards the industrial ones: 迁安, 丰南, 丰润, 滦州 …), ~20 % in
//!   the counties of the other ten Hebei cities. Coordinates are jittered
//!   around the county (Tangshan, ±0.08°) or city (elsewhere, ±0.25°) centre.
//! - USCC: `91` + the county's GB/T 2260 code + a 9-character organisation code
//!   that is a bijection of the index (an affine permutation modulo 31⁹
//!   written in the code alphabet), so codes never repeat; then the check
//!   character. About 70 % of key and general enterprises hold a permit
//!   (`USCC` + `001` + `P`/`W`).
//! - Industry: GB/T 4754-2017 classes weighted like Tangshan's economy (steel
//!   rolling, iron and steel making, coking, building materials, ceramics,
//!   chemicals, pharmaceuticals, power, metal products, machinery, food …);
//!   each class brings its outlets with ultra-low emission limits, its
//!   treatment facilities and its production facilities.
//! - Supervision: ~15 % key (mostly heavy industry), ~5 % special; 92 % normal,
//!   6 % suspended, 2 % closed; credit grade not rated for ~30 %, else A 15 %,
//!   B 35 %, C 12 %, D 5 %, E 3 % (of all); ~5 % on the positive list (A/B and
//!   normal only).

use std::sync::OnceLock;

use yici_domain::region;
use yici_domain::registry::enterprise::EnterpriseInput;
use yici_domain::registry::facility::{FacilityInput, OutletInput, PollutantLimit};
use yici_domain::registry::uscc::{check_char, ALPHABET};

/// One generated enterprise with its profile (一企一档).
#[derive(Debug, Clone)]
pub struct DemoEnterprise {
    pub input: EnterpriseInput,
    pub outlets: Vec<OutletInput>,
    pub treatment_facilities: Vec<FacilityInput>,
    pub production_facilities: Vec<FacilityInput>,
}

/// `count` enterprises from index 0.
pub fn generate(count: usize) -> impl Iterator<Item = DemoEnterprise> {
    (0..count).map(enterprise)
}

// ---------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
const SEED: u64 = 0x5969_6369_2D64_656D; // "Yici-dem"

/// The splitmix64 finaliser: a bijection of `u64` with good avalanche.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// splitmix64: tiny, fast, and fully specified here, so the stream never
/// changes with a dependency upgrade.
struct Rng(u64);

impl Rng {
    fn new(index: usize) -> Rng {
        Rng(mix((index as u64).wrapping_mul(GOLDEN) ^ SEED))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n` > 0), by multiply-shift on 32 bits.
    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn word(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    /// Picks by integer weights.
    fn weighted<'a, T>(&mut self, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
        &items[self.weighted_index(items, weight)]
    }

    /// Index of an item picked by integer weights.
    fn weighted_index<T>(&mut self, items: &[T], weight: impl Fn(&T) -> u32) -> usize {
        let total: u32 = items.iter().map(&weight).sum();
        let mut r = self.below(total as usize) as u32;
        for (i, item) in items.iter().enumerate() {
            let w = weight(item);
            if r < w {
                return i;
            }
            r -= w;
        }
        items.len() - 1
    }
}

// ---------------------------------------------------------------------------
// USCC
// ---------------------------------------------------------------------------

/// 31⁹: the number of distinct 9-character organisation codes.
const ORG_SPACE: u128 = 26_439_622_160_671;
/// Multiplier of the affine permutation; not a multiple of 31, hence a unit
/// modulo 31⁹ and the map `i ↦ (A·i + B) mod 31⁹` is a bijection.
const ORG_MUL: u128 = 11_400_714_819_323;
const ORG_ADD: u128 = 3_141_592_653_589;

/// The organisation code (positions 9–17) of the `index`-th enterprise:
/// distinct for every index below 31⁹ (≈ 2.6 × 10¹³).
fn org_code(index: usize, out: &mut String) {
    let mut p = (ORG_MUL * (index as u128 % ORG_SPACE) + ORG_ADD) % ORG_SPACE;
    let alphabet = ALPHABET.as_bytes();
    let mut digits = [0u8; 9];
    for d in digits.iter_mut().rev() {
        *d = alphabet[(p % 31) as usize];
        p /= 31;
    }
    out.extend(digits.iter().map(|&b| char::from(b)));
}

fn uscc(index: usize, county: &str) -> String {
    let mut s = String::with_capacity(18);
    s.push_str("91");
    s.push_str(county);
    org_code(index, &mut s);
    let check = check_char(&s).expect("17 alphabet characters");
    s.push(check);
    s
}

// ---------------------------------------------------------------------------
// Geography
// ---------------------------------------------------------------------------

/// A county of Tangshan, hard-coded with its centre, postal code and places.
struct TangshanCounty {
    code: &'static str,
    /// The GB/T 2260 name, checked against the table by the tests.
    #[cfg_attr(not(test), allow(dead_code))]
    name: &'static str,
    /// Prefix of names and addresses: `唐山市丰润区` or `玉田县`.
    place: &'static str,
    /// Short form used in trade names: `丰润`, `玉田`.
    short: &'static str,
    lon: f64,
    lat: f64,
    postal: &'static str,
    /// Share among the non-Yutian Tangshan enterprises.
    weight: u32,
    towns: &'static [&'static str],
    parks: &'static [&'static str],
    roads: &'static [&'static str],
}

const YUTIAN: usize = 10;

#[rustfmt::skip]
const TANGSHAN: &[TangshanCounty] = &[
    TangshanCounty {
        code: "130202",
        name: "路南区",
        place: "唐山市路南区",
        short: "唐山",
        lon: 118.17,
        lat: 39.62,
        postal: "063000",
        weight: 4,
        towns: &["女织寨乡", "稻地镇", "学院南路街道"],
        parks: &["唐山南湖工业聚集区"],
        roads: &["新华道", "建设南路", "南新道", "国防道"],
    },
    TangshanCounty {
        code: "130203",
        name: "路北区",
        place: "唐山市路北区",
        short: "唐山",
        lon: 118.20,
        lat: 39.64,
        postal: "063000",
        weight: 5,
        towns: &["果园乡", "韩城镇", "乔屯街道"],
        parks: &["唐山高新技术产业开发区"],
        roads: &["北新道", "长宁道", "卫国路", "龙泽路", "学院路"],
    },
    TangshanCounty {
        code: "130204",
        name: "古冶区",
        place: "唐山市古冶区",
        short: "古冶",
        lon: 118.45,
        lat: 39.73,
        postal: "063100",
        weight: 6,
        towns: &["范各庄乡", "卑家店乡", "王辇庄乡", "林西街道", "唐家庄街道"],
        parks: &["古冶经济开发区"],
        roads: &["唐家庄路", "林西道", "京华道"],
    },
    TangshanCounty {
        code: "130205",
        name: "开平区",
        place: "唐山市开平区",
        short: "开平",
        lon: 118.26,
        lat: 39.67,
        postal: "063021",
        weight: 6,
        towns: &["开平镇", "栗园镇", "双桥镇", "郑庄子镇", "洼里镇"],
        parks: &["开平现代装备制造工业区"],
        roads: &["开平大街", "新苑路", "越河路"],
    },
    TangshanCounty {
        code: "130207",
        name: "丰南区",
        place: "唐山市丰南区",
        short: "丰南",
        lon: 118.09,
        lat: 39.58,
        postal: "063300",
        weight: 14,
        towns: &[
            "小集镇", "黄各庄镇", "西葛镇", "大新庄镇", "钱营镇", "唐坊镇", "王兰庄镇", "南孙庄镇",
            "东田庄乡", "胥各庄街道",
        ],
        parks: &["丰南经济开发区", "丰南沿海工业区"],
        roads: &["文化大街", "惠丰道", "丰南大街", "幸福道"],
    },
    TangshanCounty {
        code: "130208",
        name: "丰润区",
        place: "唐山市丰润区",
        short: "丰润",
        lon: 118.16,
        lat: 39.83,
        postal: "064000",
        weight: 12,
        towns: &[
            "丰润镇", "任各庄镇", "左家坞镇", "泉河头镇", "王官营镇", "火石营镇", "新军屯镇",
            "小张各庄镇", "丰登坞镇", "李钊庄镇", "沙流河镇", "石各庄镇",
        ],
        parks: &["丰润经济开发区"],
        roads: &["光华道", "曹雪芹西道", "燕山路", "浭阳大街"],
    },
    TangshanCounty {
        code: "130209",
        name: "曹妃甸区",
        place: "唐山市曹妃甸区",
        short: "曹妃甸",
        lon: 118.46,
        lat: 39.27,
        postal: "063200",
        weight: 9,
        towns: &["唐海镇", "滨海镇", "柳赞镇", "第一农场"],
        parks: &["曹妃甸工业区", "曹妃甸经济技术开发区", "曹妃甸化学工业园区"],
        roads: &["曹妃甸大街", "渤海路", "港前路", "新港大道"],
    },
    TangshanCounty {
        code: "130224",
        name: "滦南县",
        place: "滦南县",
        short: "滦南",
        lon: 118.68,
        lat: 39.50,
        postal: "063500",
        weight: 7,
        towns: &[
            "倴城镇", "宋道口镇", "长凝镇", "胡各庄镇", "坨里镇", "姚王庄镇", "司各庄镇",
            "扒齿港镇", "程庄镇", "青坨营镇", "南堡镇",
        ],
        parks: &["滦南经济开发区"],
        roads: &["友谊路", "国防路", "倴城大街"],
    },
    TangshanCounty {
        code: "130225",
        name: "乐亭县",
        place: "乐亭县",
        short: "乐亭",
        lon: 118.91,
        lat: 39.43,
        postal: "063600",
        weight: 6,
        towns: &[
            "乐亭镇", "汤家河镇", "胡家坨镇", "王滩镇", "闫各庄镇", "马头营镇", "新寨镇",
            "汀流河镇",
        ],
        parks: &["乐亭经济开发区", "京唐港工业区"],
        roads: &["金融街", "永安路", "唐港路"],
    },
    TangshanCounty {
        code: "130227",
        name: "迁西县",
        place: "迁西县",
        short: "迁西",
        lon: 118.31,
        lat: 40.15,
        postal: "064300",
        weight: 8,
        towns: &[
            "兴城镇", "金厂峪镇", "洒河桥镇", "太平寨镇", "罗家屯镇", "东荒峪镇", "三屯营镇",
            "滦阳镇",
        ],
        parks: &["迁西经济开发区"],
        roads: &["栗乡大街", "喜峰路", "滨河路"],
    },
    TangshanCounty {
        code: "130229",
        name: "玉田县",
        place: "玉田县",
        short: "玉田",
        lon: 117.74,
        lat: 39.90,
        postal: "064100",
        weight: 0,
        towns: &[
            "玉田镇", "亮甲店镇", "鸦鸿桥镇", "窝洛沽镇", "石臼窝镇", "虹桥镇", "散水头镇",
            "林南仓镇", "林西镇", "杨家板桥镇", "彩亭桥镇", "孤树镇", "大安镇", "唐自头镇",
            "郭家屯乡", "杨家套乡", "林头屯乡", "潮洛窝乡", "陈家铺乡", "郭家桥乡",
        ],
        parks: &["玉田县经济开发区"],
        roads: &[
            "无终西街", "无终东街", "迎宾大街", "玉石大街", "钢城路", "京哈公路", "工业园区纬三路",
        ],
    },
    TangshanCounty {
        code: "130281",
        name: "遵化市",
        place: "遵化市",
        short: "遵化",
        lon: 117.97,
        lat: 40.19,
        postal: "064200",
        weight: 9,
        towns: &[
            "遵化镇", "堡子店镇", "马兰峪镇", "平安城镇", "东新庄镇", "新店子镇", "党峪镇",
            "地北头镇", "东旧寨镇", "铁厂镇", "苏家洼镇", "建明镇",
        ],
        parks: &["遵化经济开发区"],
        roads: &["华明路", "文化路", "遵化大街"],
    },
    TangshanCounty {
        code: "130283",
        name: "迁安市",
        place: "迁安市",
        short: "迁安",
        lon: 118.70,
        lat: 40.00,
        postal: "064400",
        weight: 14,
        towns: &[
            "迁安镇", "夏官营镇", "杨店子镇", "野鸡坨镇", "沙河驿镇", "木厂口镇", "建昌营镇",
            "赵店子镇", "杨各庄镇", "蔡园镇", "马兰庄镇", "五重安乡", "大五里乡",
        ],
        parks: &["迁安经济开发区", "迁安高新技术产业开发区"],
        roads: &["钢城大街", "燕山大路", "阜安大路", "惠宁大街"],
    },
    TangshanCounty {
        code: "130284",
        name: "滦州市",
        place: "滦州市",
        short: "滦州",
        lon: 118.70,
        lat: 39.74,
        postal: "063700",
        weight: 10,
        towns: &[
            "响嘡镇", "东安各庄镇", "雷庄镇", "茨榆坨镇", "榛子镇", "杨柳庄镇", "油榨镇", "古马镇",
            "小马庄镇", "九百户镇", "王店子镇",
        ],
        parks: &["滦州经济开发区"],
        roads: &["新城大街", "滦河路", "迎宾路"],
    },
];

/// The other Hebei cities: code, centre, postal code of the city, weight.
struct OtherCity {
    code: &'static str,
    lon: f64,
    lat: f64,
    postal: u32,
    weight: u32,
}

const OTHER_CITIES: &[OtherCity] = &[
    OtherCity {
        code: "130100",
        lon: 114.51,
        lat: 38.04,
        postal: 50000,
        weight: 20,
    },
    OtherCity {
        code: "130300",
        lon: 119.60,
        lat: 39.94,
        postal: 66000,
        weight: 6,
    },
    OtherCity {
        code: "130400",
        lon: 114.54,
        lat: 36.63,
        postal: 56000,
        weight: 16,
    },
    OtherCity {
        code: "130500",
        lon: 114.50,
        lat: 37.07,
        postal: 54000,
        weight: 12,
    },
    OtherCity {
        code: "130600",
        lon: 115.46,
        lat: 38.87,
        postal: 71000,
        weight: 14,
    },
    OtherCity {
        code: "130700",
        lon: 114.89,
        lat: 40.82,
        postal: 75000,
        weight: 4,
    },
    OtherCity {
        code: "130800",
        lon: 117.96,
        lat: 40.95,
        postal: 67000,
        weight: 5,
    },
    OtherCity {
        code: "130900",
        lon: 116.84,
        lat: 38.30,
        postal: 61000,
        weight: 12,
    },
    OtherCity {
        code: "131000",
        lon: 116.68,
        lat: 39.54,
        postal: 65000,
        weight: 9,
    },
    OtherCity {
        code: "131100",
        lon: 115.67,
        lat: 37.74,
        postal: 53000,
        weight: 6,
    },
];

/// A county of another Hebei city, derived once from the GB/T 2260 table.
struct OtherCounty {
    code: &'static str,
    place: String,
    short: String,
    postal: String,
    park: String,
}

/// Counties of each of [`OTHER_CITIES`], in the same order.
fn other_counties() -> &'static [Vec<OtherCounty>] {
    static CACHE: OnceLock<Vec<Vec<OtherCounty>>> = OnceLock::new();
    CACHE.get_or_init(|| {
        OTHER_CITIES
            .iter()
            .map(|city| {
                let city_name = region::name(city.code).expect("Hebei city in GB/T 2260");
                let city_short = city_name.trim_end_matches('市');
                region::children(city.code)
                    .into_iter()
                    .enumerate()
                    .map(|(k, county)| {
                        let district = county.name.ends_with('区');
                        let place = if district {
                            format!("{city_name}{}", county.name)
                        } else {
                            county.name.to_string()
                        };
                        let short = if district {
                            city_short.to_string()
                        } else {
                            short_name(county.name)
                        };
                        let postal = if district {
                            city.postal
                        } else {
                            city.postal + 100 * (k as u32 % 40 + 1)
                        };
                        let park = if district {
                            if k % 2 == 0 {
                                format!("{city_short}高新技术产业开发区")
                            } else {
                                format!("{city_short}经济技术开发区")
                            }
                        } else {
                            format!("{short}经济开发区")
                        };
                        OtherCounty {
                            code: county.code,
                            place,
                            short,
                            postal: format!("{postal:06}"),
                            park,
                        }
                    })
                    .collect()
            })
            .collect()
    })
}

/// `正定县` → `正定`, `青龙满族自治县` → `青龙`, `井陉矿区` → `井陉`; two-character
/// names (`沧县`) stay whole.
fn short_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    if name.ends_with("自治县") {
        return chars[..2].iter().collect();
    }
    if name.ends_with("矿区") {
        return chars[..chars.len() - 2].iter().collect();
    }
    if chars.len() > 2 {
        return chars[..chars.len() - 1].iter().collect();
    }
    name.to_string()
}

/// Where an enterprise is, borrowed from the static tables.
struct Location<'a> {
    code: &'static str,
    place: &'a str,
    short: &'a str,
    city_short: &'static str,
    postal: &'a str,
    lon: f64,
    lat: f64,
    towns: &'a [&'static str],
    roads: &'a [&'static str],
    /// The park when the enterprise is in one.
    park: Option<&'a str>,
}

fn locate(rng: &mut Rng) -> Location<'static> {
    let u = rng.unit();
    if u < 0.80 {
        let county = if u < 0.45 {
            &TANGSHAN[YUTIAN]
        } else {
            rng.weighted(TANGSHAN, |c| c.weight)
        };
        let (lon, lat) = jitter(rng, county.lon, county.lat, 0.08);
        let park = if !county.parks.is_empty() && rng.chance(0.35) {
            Some(rng.word(county.parks))
        } else {
            None
        };
        Location {
            code: county.code,
            place: county.place,
            short: county.short,
            city_short: "唐山",
            postal: county.postal,
            lon,
            lat,
            towns: county.towns,
            roads: county.roads,
            park,
        }
    } else {
        let k = rng.weighted_index(OTHER_CITIES, |c| c.weight);
        let city = &OTHER_CITIES[k];
        let counties = &other_counties()[k];
        let county = rng.pick(counties);
        let (lon, lat) = jitter(rng, city.lon, city.lat, 0.25);
        let park = if rng.chance(0.25) {
            Some(county.park.as_str())
        } else {
            None
        };
        Location {
            code: county.code,
            place: &county.place,
            short: &county.short,
            city_short: CITY_SHORTS[k],
            postal: &county.postal,
            lon,
            lat,
            towns: &[],
            roads: &[],
            park,
        }
    }
}

#[rustfmt::skip]
const CITY_SHORTS: [&str; 10] = [
    "石家庄", "秦皇岛", "邯郸", "邢台", "保定", "张家口", "承德", "沧州", "廊坊", "衡水",
];

fn jitter(rng: &mut Rng, lon: f64, lat: f64, spread: f64) -> (f64, f64) {
    let round = |v: f64| (v * 100_000.0).round() / 100_000.0;
    let lon = lon + (rng.unit() * 2.0 - 1.0) * spread;
    let lat = lat + (rng.unit() * 2.0 - 1.0) * spread;
    (round(lon), round(lat))
}

// ---------------------------------------------------------------------------
// Industries, outlets and facilities
// ---------------------------------------------------------------------------

/// A pollutant limit: pollutant, value, unit.
type Limit = (&'static str, f64, &'static str);
/// A treatment facility: name, process.
type Treatment = (&'static str, &'static str);

const MG: &str = "mg/m³";
const MGL: &str = "mg/L";

const PM: Limit = ("颗粒物", 10.0, MG);
const SO2: Limit = ("二氧化硫", 35.0, MG);
const NOX: Limit = ("氮氧化物", 50.0, MG);
const NOX100: Limit = ("氮氧化物", 100.0, MG);
const NOX150: Limit = ("氮氧化物", 150.0, MG);
const NMHC: Limit = ("非甲烷总烃", 60.0, MG);
const HCL: Limit = ("氯化氢", 10.0, MG);
const BAP: Limit = ("苯并[a]芘", 0.3, "μg/m³");
const COD: Limit = ("化学需氧量", 50.0, MGL);
const NH3N: Limit = ("氨氮", 5.0, MGL);
const PH: Limit = ("pH值", 9.0, "无量纲");

const BAG: Treatment = ("袋式除尘器", "袋式除尘");
const ESP: Treatment = ("静电除尘器", "静电除尘");
const WESP: Treatment = ("湿式电除尘器", "湿式静电除尘");
const SCR: Treatment = ("SCR脱硝装置", "选择性催化还原(SCR)脱硝");
const SNCR: Treatment = ("SNCR脱硝装置", "选择性非催化还原(SNCR)脱硝");
const FGD: Treatment = ("石灰石-石膏湿法脱硫装置", "石灰石-石膏湿法脱硫");
const ACT: Treatment = ("活性炭吸附装置", "活性炭吸附");
const FILTER_ACT: Treatment = ("干式过滤+活性炭吸附装置", "干式过滤+活性炭吸附");
const RTO: Treatment = ("蓄热式焚烧炉(RTO)", "蓄热式热力焚烧");
const LNB: Treatment = ("低氮燃烧器", "低氮燃烧");
const ACID: Treatment = ("酸雾吸收塔", "碱液喷淋吸收");

/// An air outlet template: its treatment facilities follow it.
struct Air {
    name: &'static str,
    limits: &'static [Limit],
    treat: &'static [Treatment],
}

/// The water outlet (DW001) and its treatment facility (TW001).
struct Water {
    limits: &'static [Limit],
    treat: Treatment,
}

/// A production facility: name and possible processes/models.
struct Plant {
    name: &'static str,
    models: &'static [&'static str],
}

/// An industry class with what such an enterprise looks like.
struct Class {
    code: &'static str,
    weight: u32,
    /// Words for the company name: 钢铁, 焦化 …
    words: &'static [&'static str],
    /// Probability of being a key discharger (重点排污单位).
    key: f64,
    /// Heavy industry: several outlets and facilities even when not key.
    heavy: bool,
    air: &'static [Air],
    water: Option<&'static Water>,
    /// Probability of a water outlet for a general enterprise.
    water_p: f64,
    plants: &'static [Plant],
}

const fn air(name: &'static str, limits: &'static [Limit], treat: &'static [Treatment]) -> Air {
    Air {
        name,
        limits,
        treat,
    }
}

const fn plant(name: &'static str, models: &'static [&'static str]) -> Plant {
    Plant { name, models }
}

const COATING_AIR: &[Air] = &[
    air("喷涂废气排放口", &[PM, NMHC], &[FILTER_ACT]),
    air("抛丸除尘排放口", &[PM], &[BAG]),
    air("焊接烟尘排放口", &[PM], &[("焊接烟尘净化器", "滤筒除尘")]),
];
const MACHINING_PLANTS: &[Plant] = &[
    plant("数控车床", &["CK6150数控车床", "CK6163数控车床"]),
    plant("加工中心", &["VMC850立式加工中心", "HMC630卧式加工中心"]),
    plant("喷漆房", &["15m×6m×5m喷漆房", "12m×5m×4.5m喷漆房"]),
    plant("抛丸机", &["Q6915通过式抛丸机", "Q378吊钩式抛丸机"]),
];
const GENERIC_WATER: Water = Water {
    limits: &[COD, NH3N, PH],
    treat: ("污水处理站", "A/O工艺"),
};
const CHEM_WATER: Water = Water {
    limits: &[COD, NH3N, PH],
    treat: ("污水处理站", "芬顿氧化+A/O工艺"),
};
const FOOD_WATER: Water = Water {
    limits: &[
        ("化学需氧量", 80.0, MGL),
        ("氨氮", 15.0, MGL),
        ("动植物油", 15.0, MGL),
    ],
    treat: ("污水处理站", "隔油+气浮+A/O工艺"),
};
const CHEM_AIR: &[Air] = &[
    air("工艺废气排放口", &[NMHC, PM], &[RTO]),
    air("罐区废气排放口", &[NMHC], &[ACT]),
    air(
        "导热油炉烟气排放口",
        &[
            ("颗粒物", 5.0, MG),
            ("二氧化硫", 10.0, MG),
            ("氮氧化物", 30.0, MG),
        ],
        &[LNB],
    ),
    air(
        "污水站废气排放口",
        &[("氨", 4.9, "kg/h"), ("硫化氢", 0.33, "kg/h")],
        &[("生物除臭装置", "生物滤池除臭")],
    ),
];
const CHEM_PLANTS: &[Plant] = &[
    plant(
        "反应釜",
        &["5000L搪瓷反应釜", "10m³不锈钢反应釜", "20m³不锈钢反应釜"],
    ),
    plant("精馏塔", &["DN1200精馏塔", "DN1600精馏塔"]),
    plant(
        "导热油炉",
        &["350万大卡燃气导热油炉", "600万大卡燃气导热油炉"],
    ),
];
const PHARMA_AIR: &[Air] = &[
    air(
        "合成车间废气排放口",
        &[NMHC, ("总挥发性有机物", 100.0, MG)],
        &[RTO],
    ),
    air(
        "发酵废气排放口",
        &[NMHC, ("臭气浓度", 1000.0, "无量纲")],
        &[("碱洗+水洗装置", "碱洗+水洗")],
    ),
    air("干燥包装除尘排放口", &[PM], &[BAG]),
    air(
        "污水站废气排放口",
        &[("氨", 4.9, "kg/h"), ("硫化氢", 0.33, "kg/h")],
        &[("生物除臭装置", "生物滤池除臭")],
    ),
];
const PAPER_WATER: Water = Water {
    limits: &[("化学需氧量", 80.0, MGL), ("氨氮", 8.0, MGL), PH],
    treat: ("污水处理站", "气浮+厌氧+好氧"),
};
#[rustfmt::skip]
const PAPER_PLANTS: &[Plant] = &[
    plant(
        "造纸机",
        &[
            "2400mm长网多缸造纸机", "3200mm长网多缸造纸机", "4400mm叠网造纸机",
        ],
    ),
    plant("碎浆机", &["D型水力碎浆机"]),
];
const FOUNDRY_AIR: &[Air] = &[
    air("熔炼废气排放口", &[PM], &[BAG]),
    air("造型制芯废气排放口", &[PM, NMHC], &[BAG, ACT]),
    air("清理打磨除尘排放口", &[PM], &[BAG]),
];
#[rustfmt::skip]
const SLAUGHTER_PLANTS: &[Plant] = &[
    plant(
        "屠宰生产线",
        &[
            "年屠宰生猪30万头生产线", "年屠宰肉牛5万头生产线", "年屠宰肉鸡2000万只生产线",
        ],
    ),
    plant("冷库", &["5000t冷库"]),
];

#[rustfmt::skip]
const CLASSES: &[Class] = &[
    Class {
        code: "3110",
        weight: 30,
        words: &["钢铁", "冶金", "铁业"],
        key: 0.55,
        heavy: true,
        air: &[
            air(
                "烧结机头烟气排放口",
                &[PM, SO2, NOX],
                &[ESP, ("活性炭脱硫脱硝装置", "活性炭法脱硫脱硝")],
            ),
            air("高炉出铁场除尘排放口", &[PM], &[BAG]),
            air("高炉矿槽除尘排放口", &[PM], &[BAG]),
            air(
                "热风炉烟气排放口",
                &[PM, ("二氧化硫", 50.0, MG), NOX150],
                &[LNB],
            ),
            air("烧结机尾除尘排放口", &[PM], &[BAG]),
        ],
        water: None,
        water_p: 0.0,
        plants: &[
            plant(
                "高炉",
                &[
                    "450m³高炉", "580m³高炉", "1080m³高炉", "1260m³高炉", "1580m³高炉",
                    "1780m³高炉", "2000m³高炉",
                ],
            ),
            plant(
                "烧结机",
                &["180m²烧结机", "230m²烧结机", "265m²烧结机", "360m²烧结机"],
            ),
            plant("球团竖炉", &["10m²球团竖炉", "12m²球团竖炉"]),
        ],
    },
    Class {
        code: "3120",
        weight: 30,
        words: &["钢铁", "特钢", "钢业"],
        key: 0.55,
        heavy: true,
        air: &[
            air(
                "转炉一次烟气排放口",
                &[PM],
                &[("转炉一次烟气除尘系统", "干法(LT)除尘")],
            ),
            air("转炉二次除尘排放口", &[PM], &[BAG]),
            air("精炼炉除尘排放口", &[PM], &[BAG]),
            air("石灰窑烟气排放口", &[PM, SO2, NOX], &[BAG, SCR]),
            air("铁水预处理除尘排放口", &[PM], &[BAG]),
        ],
        water: None,
        water_p: 0.0,
        plants: &[
            plant(
                "转炉",
                &[
                    "50t转炉", "80t转炉", "100t转炉", "120t转炉", "150t转炉", "210t转炉",
                ],
            ),
            plant("LF精炼炉", &["120tLF精炼炉", "150tLF精炼炉"]),
            plant("连铸机", &["6机6流方坯连铸机", "2机2流板坯连铸机"]),
        ],
    },
    Class {
        code: "3130",
        weight: 100,
        words: &["钢铁", "轧钢", "型钢", "带钢", "钢管", "板材", "钢材"],
        key: 0.05,
        heavy: true,
        air: &[
            air("加热炉烟气排放口", &[PM, SO2, NOX150], &[LNB]),
            air("2号加热炉烟气排放口", &[PM, SO2, NOX150], &[LNB, SCR]),
            air("精整除尘排放口", &[PM], &[BAG]),
        ],
        water: None,
        water_p: 0.0,
        plants: &[
            plant(
                "轧机",
                &[
                    "1450mm热连轧机组", "650mm带钢轧机", "棒材连轧机组", "高速线材轧机",
                ],
            ),
            plant("加热炉", &["120t/h蓄热式步进加热炉", "80t/h推钢式加热炉"]),
        ],
    },
    Class {
        code: "3140",
        weight: 10,
        words: &["铁合金", "冶金", "合金"],
        key: 0.35,
        heavy: true,
        air: &[
            air("矿热炉烟气排放口", &[PM], &[BAG]),
            air("原料破碎除尘排放口", &[PM], &[BAG]),
        ],
        water: None,
        water_p: 0.0,
        plants: &[plant("矿热炉", &["12500kVA矿热炉", "25500kVA矿热炉"])],
    },
    Class {
        code: "2521",
        weight: 25,
        words: &["焦化", "煤化工", "能源"],
        key: 0.7,
        heavy: true,
        air: &[
            air(
                "焦炉烟囱排放口",
                &[PM, ("二氧化硫", 30.0, MG), NOX150],
                &[("焦炉烟气脱硫脱硝装置", "SDS干法脱硫+SCR脱硝")],
            ),
            air("装煤除尘排放口", &[PM, BAP], &[BAG]),
            air("推焦除尘排放口", &[PM, ("二氧化硫", 30.0, MG)], &[BAG]),
            air("干熄焦除尘排放口", &[PM, ("二氧化硫", 80.0, MG)], &[BAG]),
            air(
                "化产回收废气排放口",
                &[("非甲烷总烃", 80.0, MG), ("苯", 6.0, MG)],
                &[("洗涤塔", "负压收集+洗油洗涤")],
            ),
        ],
        water: Some(&Water {
            limits: &[
                ("化学需氧量", 80.0, MGL),
                ("氨氮", 10.0, MGL),
                ("挥发酚", 0.3, MGL),
                ("氰化物", 0.2, MGL),
            ],
            treat: ("酚氰废水处理站", "A²/O+深度处理"),
        }),
        water_p: 0.5,
        plants: &[
            plant(
                "焦炉",
                &[
                    "4.3m顶装焦炉", "5.5m捣固焦炉", "6m顶装焦炉", "6.25m捣固焦炉", "7m顶装焦炉",
                ],
            ),
            plant("干熄焦装置", &["140t/h干熄焦装置", "190t/h干熄焦装置"]),
        ],
    },
    Class {
        code: "0810",
        weight: 30,
        words: &["矿业", "铁选", "矿产"],
        key: 0.05,
        heavy: false,
        air: &[air("破碎筛分除尘排放口", &[PM], &[BAG])],
        water: None,
        water_p: 0.0,
        plants: &[
            plant("球磨机", &["Φ3.2×4.5m球磨机", "Φ2.7×3.6m球磨机"]),
            plant("磁选机", &["CTB1230磁选机", "CTB1024磁选机"]),
            plant("破碎机", &["PE900×1200颚式破碎机", "HP300圆锥破碎机"]),
        ],
    },
    Class {
        code: "3011",
        weight: 20,
        words: &["水泥", "建材"],
        key: 0.6,
        heavy: true,
        air: &[
            air(
                "窑尾排放口",
                &[PM, ("二氧化硫", 30.0, MG), NOX100],
                &[BAG, SNCR, SCR],
            ),
            air("窑头排放口", &[PM], &[BAG]),
            air("煤磨排放口", &[PM], &[BAG]),
            air("水泥磨排放口", &[PM], &[BAG]),
            air("生料磨排放口", &[PM], &[BAG]),
        ],
        water: None,
        water_p: 0.0,
        plants: &[
            plant(
                "水泥回转窑",
                &[
                    "2500t/d新型干法水泥回转窑", "4000t/d新型干法水泥回转窑",
                    "5000t/d新型干法水泥回转窑",
                ],
            ),
            plant("水泥磨", &["Φ4.2×13m水泥磨", "Φ3.8×13m水泥磨"]),
            plant("生料立磨", &["TRM53.4生料立磨"]),
        ],
    },
    Class {
        code: "3021",
        weight: 50,
        words: &["水泥制品", "管桩", "建材", "构件"],
        key: 0.0,
        heavy: false,
        air: &[air("搅拌站除尘排放口", &[PM], &[BAG])],
        water: None,
        water_p: 0.0,
        plants: &[
            plant(
                "混凝土搅拌站",
                &["HZS180混凝土搅拌站", "HZS120混凝土搅拌站"],
            ),
            plant("管桩生产线", &["PHC管桩生产线"]),
        ],
    },
    Class {
        code: "3031",
        weight: 25,
        words: &["新型建材", "砖业", "建材"],
        key: 0.03,
        heavy: false,
        air: &[air(
            "隧道窑烟气排放口",
            &[PM, SO2, NOX100],
            &[("双碱法脱硫塔", "双碱法脱硫"), WESP],
        )],
        water: None,
        water_p: 0.0,
        plants: &[plant("隧道窑", &["6000万块/年隧道窑", "8000万块/年隧道窑"])],
    },
    Class {
        code: "3012",
        weight: 15,
        words: &["石灰", "钙业", "建材"],
        key: 0.15,
        heavy: false,
        air: &[
            air("石灰窑烟气排放口", &[PM, SO2, NOX], &[BAG, SCR]),
            air("成品除尘排放口", &[PM], &[BAG]),
        ],
        water: None,
        water_p: 0.0,
        plants: &[plant("石灰窑", &["300t/d双膛石灰窑", "600t/d套筒石灰窑"])],
    },
    Class {
        code: "3072",
        weight: 30,
        words: &["陶瓷", "卫浴", "洁具"],
        key: 0.05,
        heavy: false,
        air: &[
            air(
                "隧道窑烟气排放口",
                &[PM, ("二氧化硫", 30.0, MG), NOX100],
                &[("碱法脱硫塔", "碱法脱硫"), BAG],
            ),
            air("喷釉除尘排放口", &[PM], &[("水帘除尘装置", "水帘喷淋")]),
        ],
        water: Some(&GENERIC_WATER),
        water_p: 0.2,
        plants: &[
            plant("隧道窑", &["88m燃气隧道窑", "110m燃气隧道窑"]),
            plant("梭式窑", &["30m³梭式窑"]),
            plant("高压注浆线", &["坐便器高压注浆线"]),
        ],
    },
    Class {
        code: "3089",
        weight: 20,
        words: &["耐火材料", "耐材", "炉料"],
        key: 0.1,
        heavy: false,
        air: &[
            air("隧道窑烟气排放口", &[PM, SO2, NOX], &[BAG, SCR]),
            air("破碎筛分除尘排放口", &[PM], &[BAG]),
        ],
        water: None,
        water_p: 0.0,
        plants: &[
            plant("隧道窑", &["120m高温隧道窑"]),
            plant("压砖机", &["630t摩擦压砖机", "1000t液压压砖机"]),
        ],
    },
    Class {
        code: "3041",
        weight: 5,
        words: &["玻璃"],
        key: 0.6,
        heavy: true,
        air: &[
            air(
                "熔窑烟气排放口",
                &[PM, ("二氧化硫", 50.0, MG), ("氮氧化物", 200.0, MG)],
                &[("脱硫脱硝除尘一体化装置", "陶瓷催化滤管一体化")],
            ),
            air("配料除尘排放口", &[PM], &[BAG]),
        ],
        water: None,
        water_p: 0.0,
        plants: &[plant(
            "浮法玻璃熔窑",
            &["600t/d浮法玻璃熔窑", "900t/d浮法玻璃熔窑"],
        )],
    },
    Class {
        code: "3091",
        weight: 5,
        words: &["碳素", "炭素", "石墨"],
        key: 0.35,
        heavy: true,
        air: &[
            air(
                "焙烧炉烟气排放口",
                &[PM, SO2, NOX, ("沥青烟", 20.0, MG), BAP],
                &[("电捕焦油器", "电捕焦油"), FGD],
            ),
            air(
                "成型沥青烟排放口",
                &[("沥青烟", 20.0, MG), BAP],
                &[("电捕焦油器", "电捕焦油")],
            ),
        ],
        water: None,
        water_p: 0.0,
        plants: &[
            plant("焙烧炉", &["36室环式焙烧炉"]),
            plant("石墨化炉", &["内串石墨化炉"]),
        ],
    },
    Class {
        code: "2614",
        weight: 20,
        words: &["化工", "化学", "新材料"],
        key: 0.45,
        heavy: true,
        air: CHEM_AIR,
        water: Some(&CHEM_WATER),
        water_p: 0.8,
        plants: CHEM_PLANTS,
    },
    Class {
        code: "2619",
        weight: 15,
        words: &["化工", "化学", "精细化工"],
        key: 0.35,
        heavy: true,
        air: CHEM_AIR,
        water: Some(&CHEM_WATER),
        water_p: 0.8,
        plants: CHEM_PLANTS,
    },
    Class {
        code: "2613",
        weight: 10,
        words: &["化工", "盐化", "化学"],
        key: 0.2,
        heavy: false,
        air: &[air("干燥尾气排放口", &[PM], &[BAG])],
        water: Some(&CHEM_WATER),
        water_p: 0.5,
        plants: &[
            plant("蒸发结晶装置", &["三效蒸发结晶装置", "MVR蒸发结晶装置"]),
            plant("干燥机", &["气流干燥机"]),
        ],
    },
    Class {
        code: "2641",
        weight: 10,
        words: &["涂料", "化工", "漆业"],
        key: 0.3,
        heavy: false,
        air: &[air("调漆废气排放口", &[NMHC, PM], &[FILTER_ACT])],
        water: Some(&CHEM_WATER),
        water_p: 0.3,
        plants: &[
            plant("分散机", &["55kW高速分散机"]),
            plant("砂磨机", &["卧式砂磨机"]),
        ],
    },
    Class {
        code: "2511",
        weight: 5,
        words: &["石化", "石油化工", "炼化"],
        key: 0.8,
        heavy: true,
        air: &[
            air(
                "加热炉烟气排放口",
                &[PM, ("二氧化硫", 50.0, MG), NOX100],
                &[LNB],
            ),
            air(
                "催化裂化再生烟气排放口",
                &[PM, SO2, NOX],
                &[("再生烟气脱硫脱硝装置", "SCR脱硝+湿法脱硫")],
            ),
            air("储罐废气排放口", &[NMHC], &[("油气回收装置", "冷凝+吸附")]),
        ],
        water: Some(&Water {
            limits: &[COD, NH3N, ("石油类", 3.0, MGL), PH],
            treat: ("污水处理场", "隔油+气浮+A/O+深度处理"),
        }),
        water_p: 1.0,
        plants: &[
            plant(
                "常减压蒸馏装置",
                &["100万t/a常减压蒸馏装置", "150万t/a常减压蒸馏装置"],
            ),
            plant("催化裂化装置", &["50万t/a催化裂化装置"]),
        ],
    },
    Class {
        code: "2710",
        weight: 15,
        words: &["制药", "药业", "生物科技"],
        key: 0.45,
        heavy: true,
        air: PHARMA_AIR,
        water: Some(&CHEM_WATER),
        water_p: 0.9,
        plants: &[
            plant("发酵罐", &["100m³发酵罐", "200m³发酵罐"]),
            plant("合成反应釜", &["3000L搪瓷反应釜", "5000L不锈钢反应釜"]),
            plant("干燥机", &["双锥回转真空干燥机"]),
        ],
    },
    Class {
        code: "2720",
        weight: 10,
        words: &["制药", "药业"],
        key: 0.2,
        heavy: false,
        air: &[
            air("制粒包衣除尘排放口", &[PM], &[BAG]),
            air("乙醇回收废气排放口", &[NMHC], &[ACT]),
        ],
        water: Some(&GENERIC_WATER),
        water_p: 0.7,
        plants: &[
            plant("压片机", &["ZP35D旋转式压片机"]),
            plant("流化床制粒机", &["FL-200流化床制粒机"]),
        ],
    },
    Class {
        code: "2740",
        weight: 5,
        words: &["药业", "制药", "中药"],
        key: 0.1,
        heavy: false,
        air: &[air("提取车间除尘排放口", &[PM], &[BAG])],
        water: Some(&GENERIC_WATER),
        water_p: 0.7,
        plants: &[plant("提取罐", &["6m³多功能提取罐", "3m³多功能提取罐"])],
    },
    Class {
        code: "4411",
        weight: 8,
        words: &["发电", "电力", "能源"],
        key: 1.0,
        heavy: true,
        air: &[
            air(
                "1号机组烟气排放口",
                &[PM, SO2, NOX, ("汞及其化合物", 0.03, MG)],
                &[SCR, ESP, FGD, WESP],
            ),
            air(
                "2号机组烟气排放口",
                &[PM, SO2, NOX, ("汞及其化合物", 0.03, MG)],
                &[SCR, ESP, FGD, WESP],
            ),
            air("输煤系统除尘排放口", &[PM], &[BAG]),
            air("灰库除尘排放口", &[PM], &[BAG]),
        ],
        water: Some(&GENERIC_WATER),
        water_p: 0.5,
        plants: &[plant(
            "燃煤发电机组",
            &[
                "300MW亚临界燃煤发电机组", "350MW超临界燃煤发电机组", "600MW超临界燃煤发电机组",
            ],
        )],
    },
    Class {
        code: "4412",
        weight: 10,
        words: &["热电", "能源", "热力"],
        key: 0.8,
        heavy: true,
        air: &[
            air("1号锅炉烟气排放口", &[PM, SO2, NOX], &[BAG, FGD, SCR]),
            air("2号锅炉烟气排放口", &[PM, SO2, NOX], &[BAG, FGD, SNCR]),
            air("输煤系统除尘排放口", &[PM], &[BAG]),
        ],
        water: Some(&GENERIC_WATER),
        water_p: 0.5,
        plants: &[
            plant(
                "循环流化床锅炉",
                &["130t/h循环流化床锅炉", "240t/h循环流化床锅炉"],
            ),
            plant(
                "汽轮发电机组",
                &["25MW抽凝式汽轮发电机组", "50MW抽凝式汽轮发电机组"],
            ),
        ],
    },
    Class {
        code: "4430",
        weight: 15,
        words: &["热力", "供热", "能源"],
        key: 0.2,
        heavy: false,
        air: &[air(
            "燃气锅炉烟气排放口",
            &[
                ("颗粒物", 5.0, MG),
                ("二氧化硫", 10.0, MG),
                ("氮氧化物", 30.0, MG),
            ],
            &[LNB],
        )],
        water: None,
        water_p: 0.0,
        plants: &[plant(
            "燃气锅炉",
            &["29MW燃气热水锅炉", "58MW燃气热水锅炉", "14MW燃气热水锅炉"],
        )],
    },
    Class {
        code: "1713",
        weight: 10,
        words: &["印染", "纺织", "织造"],
        key: 0.3,
        heavy: false,
        air: &[air(
            "定型机废气排放口",
            &[PM, NMHC],
            &[("喷淋+静电净化装置", "水喷淋+静电")],
        )],
        water: Some(&Water {
            limits: &[
                ("化学需氧量", 80.0, MGL),
                ("氨氮", 10.0, MGL),
                ("色度", 50.0, "倍"),
                PH,
            ],
            treat: ("污水处理站", "混凝沉淀+水解酸化+A/O工艺"),
        }),
        water_p: 1.0,
        plants: &[
            plant("定型机", &["8节拉幅定型机", "10节拉幅定型机"]),
            plant("染色机", &["高温高压溢流染色机"]),
        ],
    },
    Class {
        code: "2221",
        weight: 15,
        words: &["纸业", "造纸", "纸品"],
        key: 0.3,
        heavy: false,
        air: &[air(
            "锅炉烟气排放口",
            &[
                ("颗粒物", 5.0, MG),
                ("二氧化硫", 10.0, MG),
                ("氮氧化物", 30.0, MG),
            ],
            &[LNB],
        )],
        water: Some(&PAPER_WATER),
        water_p: 1.0,
        plants: PAPER_PLANTS,
    },
    Class {
        code: "2211",
        weight: 5,
        words: &["纸业", "浆业"],
        key: 0.5,
        heavy: false,
        air: &[air("碱回收炉烟气排放口", &[PM, SO2, NOX], &[ESP])],
        water: Some(&PAPER_WATER),
        water_p: 1.0,
        plants: PAPER_PLANTS,
    },
    Class {
        code: "3360",
        weight: 45,
        words: &["镀锌", "热镀锌", "金属制品", "表面处理"],
        key: 0.1,
        heavy: false,
        air: &[
            air("酸洗酸雾排放口", &[HCL], &[ACID]),
            air("锌锅烟气排放口", &[PM, HCL], &[BAG]),
        ],
        water: Some(&Water {
            limits: &[COD, NH3N, ("总锌", 1.5, MGL), PH],
            treat: ("污水处理站", "中和+混凝沉淀"),
        }),
        water_p: 0.4,
        plants: &[
            plant("镀锌锅", &["7.5m×1.6m×2.8m镀锌锅", "13m×1.8m×3.2m镀锌锅"]),
            plant("酸洗槽", &["12m酸洗槽"]),
        ],
    },
    Class {
        code: "3340",
        weight: 35,
        words: &["金属制品", "钢丝", "线材", "钢绞线"],
        key: 0.05,
        heavy: false,
        air: &[air("酸洗酸雾排放口", &[HCL], &[ACID])],
        water: Some(&GENERIC_WATER),
        water_p: 0.3,
        plants: &[
            plant("拉丝机", &["LZ9/560直进式拉丝机"]),
            plant("退火炉", &["井式退火炉"]),
        ],
    },
    Class {
        code: "3311",
        weight: 80,
        words: &["钢结构", "金属结构", "钢构", "网架"],
        key: 0.01,
        heavy: false,
        air: COATING_AIR,
        water: None,
        water_p: 0.0,
        plants: &[
            plant("数控切割机", &["CNC-4000数控火焰切割机"]),
            plant("喷漆房", &["24m×6m×6m喷漆房"]),
            plant("抛丸机", &["H型钢抛丸机"]),
        ],
    },
    Class {
        code: "3391",
        weight: 45,
        words: &["铸造", "铸业", "机械", "铸钢"],
        key: 0.05,
        heavy: false,
        air: FOUNDRY_AIR,
        water: None,
        water_p: 0.0,
        plants: &[
            plant("中频感应电炉", &["3t中频感应电炉", "5t中频感应电炉"]),
            plant("造型线", &["静压造型线", "消失模造型线"]),
        ],
    },
    Class {
        code: "3393",
        weight: 15,
        words: &["锻造", "锻压", "机械"],
        key: 0.02,
        heavy: false,
        air: &[air("加热炉烟气排放口", &[PM, SO2, NOX150], &[LNB])],
        water: None,
        water_p: 0.0,
        plants: &[
            plant("锻压机", &["1600t电动螺旋压力机", "2500t热模锻压力机"]),
            plant("中频加热炉", &["500kW中频加热炉"]),
        ],
    },
    Class {
        code: "3352",
        weight: 25,
        words: &["管件", "阀门", "五金"],
        key: 0.02,
        heavy: false,
        air: FOUNDRY_AIR,
        water: None,
        water_p: 0.0,
        plants: &[
            plant("中频感应电炉", &["1t中频感应电炉"]),
            plant("数控车床", &["CK6140数控车床"]),
        ],
    },
    Class {
        code: "3484",
        weight: 60,
        words: &["机械", "机械制造", "重工", "精密机械"],
        key: 0.01,
        heavy: false,
        air: COATING_AIR,
        water: None,
        water_p: 0.0,
        plants: MACHINING_PLANTS,
    },
    Class {
        code: "3511",
        weight: 15,
        words: &["矿山机械", "重工", "机械"],
        key: 0.02,
        heavy: false,
        air: COATING_AIR,
        water: None,
        water_p: 0.0,
        plants: MACHINING_PLANTS,
    },
    Class {
        code: "3715",
        weight: 10,
        words: &["轨道装备", "机车配件", "机械"],
        key: 0.02,
        heavy: false,
        air: COATING_AIR,
        water: None,
        water_p: 0.0,
        plants: MACHINING_PLANTS,
    },
    Class {
        code: "3670",
        weight: 40,
        words: &["汽车零部件", "汽车配件", "车桥", "汽配"],
        key: 0.03,
        heavy: false,
        air: COATING_AIR,
        water: Some(&GENERIC_WATER),
        water_p: 0.2,
        plants: &[
            plant("冲压线", &["800t冲压生产线"]),
            plant("焊接机器人工作站", &["双工位焊接机器人工作站"]),
        ],
    },
    Class {
        code: "2929",
        weight: 40,
        words: &["塑业", "塑料制品", "塑胶"],
        key: 0.01,
        heavy: false,
        air: &[air("挤出注塑废气排放口", &[NMHC], &[ACT])],
        water: None,
        water_p: 0.0,
        plants: &[
            plant("注塑机", &["HTF250注塑机", "HTF530注塑机"]),
            plant("挤出机", &["SJ65单螺杆挤出机"]),
        ],
    },
    Class {
        code: "2319",
        weight: 20,
        words: &["印刷", "包装", "彩印"],
        key: 0.05,
        heavy: false,
        air: &[air("印刷废气排放口", &[("非甲烷总烃", 50.0, MG)], &[RTO])],
        water: None,
        water_p: 0.0,
        plants: &[
            plant("凹版印刷机", &["七色凹版印刷机", "九色凹版印刷机"]),
            plant("复合机", &["干式复合机"]),
        ],
    },
    Class {
        code: "2110",
        weight: 30,
        words: &["家具", "木业", "家居"],
        key: 0.01,
        heavy: false,
        air: &[
            air("喷漆废气排放口", &[PM, NMHC], &[FILTER_ACT]),
            air("砂光除尘排放口", &[PM], &[BAG]),
        ],
        water: None,
        water_p: 0.0,
        plants: &[
            plant("喷漆房", &["10m×5m×4m喷漆房"]),
            plant("砂光机", &["宽带砂光机"]),
        ],
    },
    Class {
        code: "1351",
        weight: 15,
        words: &["肉联", "食品", "肉类加工"],
        key: 0.1,
        heavy: false,
        air: &[],
        water: Some(&FOOD_WATER),
        water_p: 0.9,
        plants: SLAUGHTER_PLANTS,
    },
    Class {
        code: "1352",
        weight: 10,
        words: &["食品", "禽业", "肉食"],
        key: 0.1,
        heavy: false,
        air: &[],
        water: Some(&FOOD_WATER),
        water_p: 0.9,
        plants: SLAUGHTER_PLANTS,
    },
    Class {
        code: "1391",
        weight: 10,
        words: &["淀粉", "食品", "生物"],
        key: 0.1,
        heavy: false,
        air: &[air("干燥除尘排放口", &[PM], &[BAG])],
        water: Some(&Water {
            limits: &[("化学需氧量", 100.0, MGL), ("氨氮", 15.0, MGL), PH],
            treat: ("污水处理站", "UASB+A/O工艺"),
        }),
        water_p: 0.8,
        plants: &[plant("淀粉生产线", &["年产5万吨玉米淀粉生产线"])],
    },
    Class {
        code: "1331",
        weight: 10,
        words: &["油脂", "粮油", "食品"],
        key: 0.05,
        heavy: false,
        air: &[air(
            "浸出车间废气排放口",
            &[NMHC],
            &[("尾气吸收装置", "石蜡油吸收")],
        )],
        water: Some(&FOOD_WATER),
        water_p: 0.5,
        plants: &[plant("浸出器", &["300t/d平转浸出器"])],
    },
    Class {
        code: "0313",
        weight: 20,
        words: &["养殖", "牧业", "农牧"],
        key: 0.1,
        heavy: false,
        air: &[],
        water: Some(&Water {
            limits: &[("化学需氧量", 400.0, MGL), ("氨氮", 80.0, MGL)],
            treat: ("粪污处理设施", "固液分离+厌氧发酵"),
        }),
        water_p: 0.6,
        plants: &[plant(
            "猪舍",
            &["存栏3000头标准化猪舍", "存栏5000头标准化猪舍"],
        )],
    },
    Class {
        code: "4620",
        weight: 15,
        words: &["水务", "污水处理", "环保"],
        key: 0.5,
        heavy: false,
        air: &[air(
            "除臭排放口",
            &[("氨", 4.9, "kg/h"), ("硫化氢", 0.33, "kg/h")],
            &[("生物除臭装置", "生物滤池除臭")],
        )],
        water: Some(&Water {
            limits: &[
                ("化学需氧量", 30.0, MGL),
                ("氨氮", 1.5, MGL),
                ("总磷", 0.3, MGL),
                ("总氮", 15.0, MGL),
            ],
            treat: ("污水处理系统", "A²/O+深度处理"),
        }),
        water_p: 1.0,
        plants: &[plant(
            "生化池",
            &["2万m³/d A²/O生化池", "5万m³/d A²/O生化池"],
        )],
    },
    Class {
        code: "7724",
        weight: 5,
        words: &["环保科技", "环境服务", "固废处置"],
        key: 1.0,
        heavy: true,
        air: &[air(
            "焚烧炉烟气排放口",
            &[
                ("颗粒物", 20.0, MG),
                ("二氧化硫", 80.0, MG),
                ("氮氧化物", 250.0, MG),
                ("二噁英类", 0.5, "ngTEQ/m³"),
            ],
            &[
                ("急冷+干法脱酸+袋式除尘系统", "急冷+干法脱酸+袋式除尘"),
                SCR,
            ],
        )],
        water: None,
        water_p: 0.0,
        plants: &[plant(
            "回转窑焚烧炉",
            &["30t/d回转窑焚烧炉", "50t/d回转窑焚烧炉"],
        )],
    },
];

// ---------------------------------------------------------------------------
// Names, people, addresses
// ---------------------------------------------------------------------------

/// Characters of trade names (字号).
const TRADE: &[&str] = &[
    "宏", "达", "鑫", "旺", "永", "顺", "华", "丰", "盛", "泰", "恒", "利", "源", "隆", "兴", "昌",
    "瑞", "祥", "金", "通", "冀", "东", "建", "安", "德", "润", "海", "港", "佳", "新", "宝", "聚",
    "凯", "天", "远", "诚", "信", "福", "荣", "辉", "腾", "正", "大", "中", "联", "合", "创", "嘉",
    "益", "康", "博", "晟", "泓", "浩", "发", "宇", "春", "晨", "阳", "明", "星", "洲", "邦", "鼎",
    "峰", "骏", "鹏", "欣", "铭", "豪", "锦", "燕", "津", "瀚", "森", "志", "振", "威", "力", "亿",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "郭",
    "马", "宋", "郑", "韩", "冯", "于", "董", "曹", "袁", "许", "贾", "魏", "田", "史", "齐", "谷",
];
const GIVEN: &[&str] = &[
    "建国", "志强", "海涛", "立新", "国栋", "伟", "磊", "军", "洪亮", "振华", "宏伟", "晓东",
    "永刚", "文博", "明", "超", "斌", "鹏飞", "金龙", "德胜", "树林", "丽娜", "秀英", "敏", "静",
    "雪梅", "晓燕", "春华", "玉兰", "海燕", "红梅", "淑珍", "颖", "凤霞", "宝山", "俊峰",
];

#[rustfmt::skip]
const ROADS: &[&str] = &[
    "建设路", "光明路", "友谊路", "幸福路", "创业路", "兴业路", "发展大街", "工业大街", "经一路",
    "经二路", "纬一路", "纬二路", "纬三路", "滨河路", "环城路", "开发区大街", "102国道", "科技大街",
    "胜利路", "人民路", "解放路", "和平路", "新华路", "长江大道", "黄河大道",
];
#[rustfmt::skip]
const VILLAGES: &[&str] = &[
    "大王庄", "小李庄", "东八里铺", "西关", "后屯", "张家庄", "北寺", "马家坞", "前营", "高各庄",
    "刘家营", "新立庄", "东关", "南小营", "石佛寺", "王各庄", "孙家屯", "双庙", "李家套", "八里桥",
];
const DIRECTIONS: &[&str] = &["东", "西", "南", "北", "东侧", "西侧", "北300米", "南500米"];
const SITES: &[&str] = &["一厂区", "二厂区", "东厂区", "西厂区", "北厂区"];

fn trade_name(rng: &mut Rng, out: &mut String) {
    let len = if rng.chance(0.75) { 2 } else { 3 };
    let mut used = [usize::MAX; 3];
    for n in 0..len {
        let mut k = rng.below(TRADE.len());
        while used.contains(&k) {
            k = (k + 1) % TRADE.len();
        }
        used[n] = k;
        out.push_str(TRADE[k]);
    }
}

fn company_name(rng: &mut Rng, loc: &Location, class: &Class, key: bool) -> String {
    let mut name = String::with_capacity(48);
    let word = rng.word(class.words);
    if key && rng.chance(0.12) {
        // 河北冀东水泥集团玉田有限公司
        name.push_str("河北");
        trade_name(rng, &mut name);
        name.push_str(word);
        name.push_str("集团");
        name.push_str(loc.short);
        name.push_str("有限公司");
        return name;
    }
    let u = rng.unit();
    if u < 0.45 {
        name.push_str(loc.place);
    } else if u < 0.70 {
        name.push_str(loc.city_short);
    } else if u < 0.90 {
        name.push_str(loc.short);
    } else {
        name.push_str("河北");
    }
    trade_name(rng, &mut name);
    name.push_str(word);
    let u = rng.unit();
    name.push_str(if u < 0.74 {
        "有限公司"
    } else if u < 0.90 {
        "有限责任公司"
    } else if u < 0.96 {
        "股份有限公司"
    } else {
        "实业有限公司"
    });
    let u = rng.unit();
    if u < 0.02 {
        name.push_str(if rng.chance(0.6) {
            "第二分厂"
        } else {
            "第三分厂"
        });
    } else if u < 0.04 {
        name.push_str(loc.short);
        name.push_str("分公司");
    }
    name
}

fn address(rng: &mut Rng, loc: &Location) -> String {
    let mut a = String::with_capacity(64);
    if rng.chance(0.25) {
        a.push_str("河北省");
        if !loc.place.contains('市') {
            // 玉田县 → 河北省唐山市玉田县
            a.push_str(loc.city_short);
            a.push('市');
        }
    }
    a.push_str(loc.place);
    let road = |rng: &mut Rng| -> &'static str {
        if !loc.roads.is_empty() && rng.chance(0.5) {
            rng.word(loc.roads)
        } else {
            rng.word(ROADS)
        }
    };
    if let Some(park) = loc.park {
        // 玉田县 + 经济开发区 + 纬三路18号
        a.push_str(park.strip_prefix(loc.place).unwrap_or(park));
        a.push_str(road(rng).trim_start_matches("工业园区"));
        push_number(&mut a, rng.range(1, 199));
        a.push('号');
    } else if !loc.towns.is_empty() && rng.chance(0.6) {
        a.push_str(rng.word(loc.towns));
        if rng.chance(0.5) {
            a.push_str(rng.word(VILLAGES));
            a.push('村');
            a.push_str(rng.word(DIRECTIONS));
        } else {
            a.push_str(road(rng));
            push_number(&mut a, rng.range(1, 299));
            a.push('号');
        }
    } else {
        a.push_str(road(rng));
        push_number(&mut a, rng.range(1, 399));
        a.push('号');
    }
    a
}

fn push_number(s: &mut String, n: usize) {
    use std::fmt::Write as _;
    let _ = write!(s, "{n}");
}

fn outlet(code: String, name: &str, limits: &[Limit]) -> OutletInput {
    OutletInput {
        code,
        name: name.to_string(),
        pollutants: limits
            .iter()
            .map(|&(pollutant, limit, unit)| PollutantLimit {
                pollutant: pollutant.to_string(),
                limit,
                unit: unit.to_string(),
            })
            .collect(),
    }
}

fn facility(code: String, name: &str, process: &str) -> FacilityInput {
    FacilityInput {
        code,
        name: name.to_string(),
        process: process.to_string(),
    }
}

// ---------------------------------------------------------------------------
// The enterprise
// ---------------------------------------------------------------------------

/// The `n`-th enterprise of the stream (0-based), a pure function of `index`
/// (so batches can be generated independently and in parallel).
pub fn enterprise(index: usize) -> DemoEnterprise {
    let mut rng = Rng::new(index);
    let loc = locate(&mut rng);
    let class = rng.weighted(CLASSES, |c| c.weight);

    let u = rng.unit();
    let category = if u < class.key {
        "key"
    } else if u < class.key + 0.05 {
        "special"
    } else {
        "general"
    };
    let key = category == "key";
    let u = rng.unit();
    let status = if u < 0.92 {
        "normal"
    } else if u < 0.98 {
        "suspended"
    } else {
        "closed"
    };
    let u = rng.unit();
    let credit_grade = if u < 0.30 {
        None
    } else if u < 0.45 {
        Some("A")
    } else if u < 0.80 {
        Some("B")
    } else if u < 0.92 {
        Some("C")
    } else if u < 0.97 {
        Some("D")
    } else {
        Some("E")
    };
    // A/B and normal is ~46 % of enterprises: ~11 % of them gives ~5 % overall.
    let positive_list =
        matches!(credit_grade, Some("A" | "B")) && status == "normal" && rng.chance(0.11);

    let uscc = uscc(index, loc.code);
    let permit_p = match category {
        "key" => 0.95,
        "general" => 0.65,
        _ => 0.0,
    };
    let permit_code = rng.chance(permit_p).then(|| {
        let suffix = if key || rng.chance(0.6) { 'P' } else { 'W' };
        format!("{uscc}001{suffix}")
    });

    let name = company_name(&mut rng, &loc, class, key);
    let u = rng.unit();
    let source_name = if u < 0.90 {
        Some(name.clone())
    } else if u < 0.96 {
        Some(format!("{name}（{}）", rng.word(SITES)))
    } else {
        None
    };
    let address = address(&mut rng, &loc);
    let contact_name = format!("{}{}", rng.word(SURNAMES), rng.word(GIVEN));
    let phone = mix(index as u64 ^ 0x0315_0229);
    let contact_phone = format!("13{}{:08}", phone % 10, (phone / 10) % 100_000_000);

    // Outlets and facilities, by size.
    let heavy = key || (class.heavy && category == "general");
    let n_air = if class.air.is_empty() {
        0
    } else if key && class.heavy {
        rng.range(2, 5)
    } else if heavy {
        rng.range(1, 3)
    } else {
        rng.range(0, 1)
    }
    .min(class.air.len());
    let water = class.water.filter(|_| {
        key || rng.chance(if heavy {
            class.water_p
        } else {
            class.water_p * 0.7
        })
    });
    let n_plant = if key && class.heavy {
        rng.range(2, 4)
    } else if heavy {
        rng.range(1, 3)
    } else {
        rng.range(0, 1)
    };

    let mut outlets = Vec::with_capacity(n_air + 1);
    let mut treatment = Vec::with_capacity(n_air * 2 + 1);
    for (i, a) in class.air.iter().take(n_air).enumerate() {
        outlets.push(outlet(format!("DA{:03}", i + 1), a.name, a.limits));
        for t in a.treat {
            let code = format!("TA{:03}", treatment.len() + 1);
            treatment.push(facility(code, t.0, t.1));
        }
    }
    if let Some(w) = water {
        outlets.push(outlet("DW001".to_string(), "废水总排放口", w.limits));
        treatment.push(facility("TW001".to_string(), w.treat.0, w.treat.1));
    }
    let mut production = Vec::with_capacity(n_plant);
    for i in 0..n_plant {
        let p = &class.plants[i % class.plants.len()];
        let number = i / class.plants.len() + 1;
        production.push(FacilityInput {
            code: format!("MF{:04}", i + 1),
            name: format!("{number}号{}", p.name),
            process: rng.word(p.models).to_string(),
        });
    }

    DemoEnterprise {
        input: EnterpriseInput {
            name: Some(name),
            source_name,
            uscc: Some(uscc),
            uscc_exception_reason: None,
            permit_code,
            address: Some(address),
            industry_code: Some(class.code.to_string()),
            postal_code: Some(loc.postal.to_string()),
            longitude: Some(loc.lon),
            latitude: Some(loc.lat),
            region_code: Some(loc.code.to_string()),
            industrial_park: loc.park.map(str::to_string),
            contact_name: Some(contact_name),
            contact_phone: Some(contact_phone),
            status: Some(status.to_string()),
            category: Some(category.to_string()),
            credit_grade: credit_grade.map(str::to_string),
            positive_list: Some(positive_list),
        },
        outlets,
        treatment_facilities: treatment,
        production_facilities: production,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use yici_domain::registry::industry;

    use super::*;

    #[test]
    fn the_first_20000_validate_with_their_outlets_and_facilities() {
        for i in 0..20_000 {
            let e = enterprise(i);
            let v = e
                .input
                .validate(false)
                .unwrap_or_else(|err| panic!("enterprise {i} invalid: {err:?}\n{:?}", e.input));
            assert!(v.uscc.has_valid_check(), "{i}");
            assert!(
                v.name.ends_with("公司") || v.name.ends_with("分厂"),
                "{}",
                v.name
            );
            for o in &e.outlets {
                o.validate()
                    .unwrap_or_else(|err| panic!("enterprise {i} outlet {o:?}: {err:?}"));
            }
            for t in &e.treatment_facilities {
                t.validate_treatment()
                    .unwrap_or_else(|err| panic!("enterprise {i} facility {t:?}: {err:?}"));
            }
            for p in &e.production_facilities {
                p.validate_named("production_facilities").unwrap();
            }
        }
    }

    #[test]
    fn usccs_are_unique_across_200000() {
        let mut seen = HashSet::with_capacity(200_000);
        for i in 0..200_000 {
            // The organisation code alone is unique, whatever the county.
            let mut org = String::new();
            org_code(i, &mut org);
            assert!(seen.insert(org), "organisation code of {i} repeats");
        }
        let mut seen = HashSet::with_capacity(200_000);
        for e in generate(200_000) {
            assert!(seen.insert(e.input.uscc.unwrap()));
        }
    }

    #[test]
    fn the_organisation_permutation_is_a_bijection() {
        assert_eq!(31u128.pow(9), ORG_SPACE);
        assert_ne!(ORG_MUL % 31, 0);
        let mut s = String::new();
        org_code(0, &mut s);
        assert_eq!(s.len(), 9);
    }

    #[test]
    fn generation_is_deterministic() {
        let a = format!("{:?}", enterprise(12345));
        let b = format!("{:?}", enterprise(12345));
        assert_eq!(a, b);
        assert_ne!(a, format!("{:?}", enterprise(12346)));
        let batch: Vec<String> = generate(50).map(|e| format!("{e:?}")).collect();
        for (i, e) in batch.iter().enumerate() {
            assert_eq!(*e, format!("{:?}", enterprise(i)));
        }
    }

    #[test]
    fn tables_match_the_reference_data() {
        for c in CLASSES {
            industry::validate_class(c.code)
                .unwrap_or_else(|_| panic!("{} is not a class", c.code));
            assert!(!c.plants.is_empty() && !c.words.is_empty(), "{}", c.code);
        }
        let codes: HashSet<&str> = CLASSES.iter().map(|c| c.code).collect();
        assert_eq!(codes.len(), CLASSES.len());
        let tangshan = region::children("130200");
        assert_eq!(tangshan.len(), TANGSHAN.len());
        for (r, c) in tangshan.iter().zip(TANGSHAN) {
            assert_eq!((r.code, r.name), (c.code, c.name));
        }
        assert_eq!(TANGSHAN[YUTIAN].code, "130229");
        let cities: Vec<&str> = region::children("130000")
            .iter()
            .map(|r| r.code)
            .filter(|c| *c != "130200")
            .collect();
        assert_eq!(
            cities,
            OTHER_CITIES.iter().map(|c| c.code).collect::<Vec<_>>()
        );
        for (city, short) in OTHER_CITIES.iter().zip(CITY_SHORTS) {
            assert_eq!(region::name(city.code).unwrap(), format!("{short}市"));
        }
        assert_eq!(short_name("青龙满族自治县"), "青龙");
        assert_eq!(short_name("井陉矿区"), "井陉");
        assert_eq!(short_name("沧县"), "沧县");
        assert_eq!(short_name("正定县"), "正定");
    }

    #[test]
    fn distributions_look_like_tangshan() {
        const N: usize = 10_000;
        let mut by_county: HashMap<String, usize> = HashMap::new();
        let (mut tangshan, mut key, mut special, mut normal, mut suspended, mut closed) =
            (0, 0, 0, 0, 0, 0);
        let (mut unrated, mut a, mut positive, mut permit, mut steel) = (0, 0, 0, 0, 0);
        let mut names = HashSet::new();
        for e in generate(N) {
            let i = &e.input;
            let county = i.region_code.clone().unwrap();
            if county.starts_with("1302") {
                tangshan += 1;
                let centre = TANGSHAN.iter().find(|c| c.code == county).unwrap();
                assert!((i.longitude.unwrap() - centre.lon).abs() <= 0.08 + 1e-9);
                assert!((i.latitude.unwrap() - centre.lat).abs() <= 0.08 + 1e-9);
            }
            *by_county.entry(county).or_default() += 1;
            match i.category.as_deref().unwrap() {
                "key" => key += 1,
                "special" => special += 1,
                _ => {}
            }
            match i.status.as_deref().unwrap() {
                "normal" => normal += 1,
                "suspended" => suspended += 1,
                _ => closed += 1,
            }
            match i.credit_grade.as_deref() {
                None => unrated += 1,
                Some("A") => a += 1,
                _ => {}
            }
            positive += usize::from(i.positive_list.unwrap());
            permit += usize::from(i.permit_code.is_some());
            steel += usize::from(i.industry_code.as_deref().unwrap().starts_with("31"));
            names.insert(i.name.clone().unwrap());
            if i.positive_list.unwrap() {
                assert!(matches!(i.credit_grade.as_deref(), Some("A" | "B")));
                assert_eq!(i.status.as_deref(), Some("normal"));
            }
        }
        let pct = |n: usize| n as f64 * 100.0 / N as f64;
        let yutian = pct(by_county["130229"]);
        assert!((40.0..50.0).contains(&yutian), "玉田县 {yutian}%");
        assert!(
            (76.0..84.0).contains(&pct(tangshan)),
            "唐山市 {}%",
            pct(tangshan)
        );
        assert!((12.0..19.0).contains(&pct(key)), "key {}%", pct(key));
        assert!(
            (3.0..7.0).contains(&pct(special)),
            "special {}%",
            pct(special)
        );
        assert!(
            (90.0..94.0).contains(&pct(normal)),
            "normal {}%",
            pct(normal)
        );
        assert!(
            (4.5..7.5).contains(&pct(suspended)),
            "suspended {}%",
            pct(suspended)
        );
        assert!((1.0..3.0).contains(&pct(closed)), "closed {}%", pct(closed));
        assert!(
            (27.0..33.0).contains(&pct(unrated)),
            "unrated {}%",
            pct(unrated)
        );
        assert!((13.0..17.0).contains(&pct(a)), "A {}%", pct(a));
        assert!(
            (3.5..6.5).contains(&pct(positive)),
            "positive {}%",
            pct(positive)
        );
        assert!(
            (60.0..75.0).contains(&pct(permit)),
            "permit {}%",
            pct(permit)
        );
        assert!((12.0..20.0).contains(&pct(steel)), "31xx {}%", pct(steel));
        // Every Tangshan county and most Hebei cities have enterprises.
        assert!(TANGSHAN.iter().all(|c| by_county.contains_key(c.code)));
        assert!(
            names.len() as f64 > N as f64 * 0.99,
            "{} distinct names",
            names.len()
        );
    }

    #[test]
    fn heavy_industry_has_outlets_with_ultra_low_limits() {
        let e = (0..5_000)
            .map(enterprise)
            .find(|e| {
                e.input.industry_code.as_deref() == Some("3110")
                    && e.input.category.as_deref() == Some("key")
            })
            .expect("a key ironworks");
        assert!((2..=5).contains(&e.outlets.len()), "{:?}", e.outlets);
        assert_eq!(e.outlets[0].code, "DA001");
        assert!(e.outlets[0]
            .pollutants
            .iter()
            .any(|p| p.pollutant == "颗粒物" && p.limit == 10.0));
        assert!(e.treatment_facilities.len() >= e.outlets.len());
        assert!(e.production_facilities.len() >= 2);
        assert!(e.production_facilities[0].code == "MF0001");
    }
}
