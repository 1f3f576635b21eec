//! Deterministic, realistic people for the demo: common surnames and given
//! names, unique mobile numbers, Hebei-style certificate numbers.

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
    "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛",
];
const GIVEN_MALE: &[&str] = &[
    "建国", "志强", "海涛", "立新", "国栋", "伟", "磊", "军", "洪亮", "振华", "宏伟", "晓东",
    "永刚", "文博", "浩然", "子轩", "明", "超", "斌", "鹏飞", "俊杰", "金龙", "德胜", "树林",
];
const GIVEN_FEMALE: &[&str] = &[
    "丽娜", "秀英", "敏", "静", "婷婷", "雪梅", "晓燕", "春华", "玉兰", "佳怡", "思雨", "欣然",
    "海燕", "丽华", "红梅", "淑珍", "慧", "颖", "露", "文静",
];

pub struct DemoPerson {
    pub name: String,
    pub gender: &'static str,
    pub mobile: String,
    pub office_phone: String,
    pub certificate_no: String,
}

#[derive(Default)]
pub struct Names {
    n: usize,
}

impl Names {
    pub fn next(&mut self) -> DemoPerson {
        self.n += 1;
        let n = self.n;
        let female = n.is_multiple_of(3);
        let surname = SURNAMES[(n * 7) % SURNAMES.len()];
        let given = if female {
            GIVEN_FEMALE[(n * 5) % GIVEN_FEMALE.len()]
        } else {
            GIVEN_MALE[(n * 11) % GIVEN_MALE.len()]
        };
        // Prefixes of real mainland carriers; the counter keeps them unique.
        let prefix = ["139", "138", "186", "150", "133", "177", "158"][n % 7];
        DemoPerson {
            name: format!("{surname}{given}"),
            gender: if female { "female" } else { "male" },
            mobile: format!("{prefix}{:08}", 31_500_000 + n * 37),
            office_phone: format!("0315-61{:05}", 10_000 + n * 3),
            certificate_no: format!("1302{:07}", 2_290_000 + n),
        }
    }
}
