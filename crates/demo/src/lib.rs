//! The demo data set (OPS-1): 河北省生态环境厅 with its 处, the 11 city bureaus,
//! 唐山市生态环境局 and its 14 county branches, 石家庄市生态环境局 and its
//! 藁城区分局 (the manual's examples: `hbs_dq`, `sjzs_dq`, `sjzsgcq_dq`),
//! 唐山市生态环境局玉田县分局 staffed with people, and two partner agencies of
//! Yutian. The province, both cities, Yutian and Gaocheng have department
//! heads, unit heads and an office clerk, so a 审批表 can go the whole way
//! at each. Deterministic: the same data every time.

pub mod enterprises;
pub mod field;
mod names;
pub mod plans;

use anyhow::Result;
use yici_domain::org::{
    BusinessLine as L, DepartmentKind as K, PersonInput, Principal, Role, Sector, UnitLevel,
};
use yici_store::auth;
use yici_store::org::departments::{self, NewDepartment};
use yici_store::org::people;
use yici_store::org::units::{self, NewUnit};
use yici_store::{Actor, Db, Exec, Tx};

/// Logins printed by `yici demo`.
pub struct DemoLogins {
    pub lines: Vec<(String, String)>,
}

type DeptSpec = (&'static str, K, L);

const PROVINCE_DEPTS: &[DeptSpec] = &[
    // The manual's name: its secretary account is its example `hbs_dq`.
    ("大气处", K::Office, L::Air),
    ("水生态环境处", K::Office, L::Water),
    ("土壤生态环境处", K::Office, L::Soil),
    ("固体废物与化学品处", K::Office, L::SolidWaste),
    ("辐射安全管理处", K::Office, L::Radiation),
    ("生态环境执法局", K::Office, L::Enforcement),
    ("生态环境监测处", K::Office, L::Monitoring),
    ("办公室", K::Office, L::General),
];

const CITY_DEPTS: &[DeptSpec] = &[
    ("大气环境科", K::Office, L::Air),
    ("水生态环境科", K::Office, L::Water),
    ("土壤生态环境科", K::Office, L::Soil),
    ("固体废物与化学品科", K::Office, L::SolidWaste),
    ("辐射安全科", K::Office, L::Radiation),
    ("生态环境综合执法支队", K::Institution, L::Enforcement),
    ("办公室", K::Office, L::General),
];

/// 石家庄市生态环境局 names its air department as the manual does (`sjzs_dq`).
const SHIJIAZHUANG_DEPTS: &[DeptSpec] = &[
    ("大气处", K::Office, L::Air),
    ("水生态环境科", K::Office, L::Water),
    ("土壤生态环境科", K::Office, L::Soil),
    ("固体废物与化学品科", K::Office, L::SolidWaste),
    ("辐射安全科", K::Office, L::Radiation),
    ("生态环境综合执法支队", K::Institution, L::Enforcement),
    ("办公室", K::Office, L::General),
];

const COUNTY_DEPTS: &[DeptSpec] = &[
    ("大气股", K::Office, L::Air),
    ("水股", K::Office, L::Water),
    ("土壤股", K::Office, L::Soil),
    ("固废股", K::Office, L::SolidWaste),
    ("执法大队", K::Institution, L::Enforcement),
    ("监测站", K::Institution, L::Monitoring),
    ("办公室", K::Office, L::General),
];

/// Whether the database already holds an organisation.
pub async fn is_loaded(db: &Db) -> Result<bool> {
    Ok(db
        .clone()
        .scalar_i64("SELECT COUNT(*) FROM units", vec![])
        .await?
        > 0)
}

/// Loads the demo organisation into an empty database. Every account gets the
/// initial password; one Argon2id hash of it is shared by all demo accounts
/// (the password is public anyway, and hashing hundreds of accounts one by
/// one would slow every start and every test). Real accounts get their own.
pub async fn load(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
    initial_password: &str,
) -> Result<DemoLogins> {
    let hash = auth::hash_password(initial_password.to_string()).await?;
    let mut tx = db.begin().await?;
    let actor = Actor::system();
    auth::ensure_system_admin(&mut tx, now, &hash).await?;
    let mut names = names::Names::default();

    let province = unit(
        &mut tx,
        now,
        None,
        "河北省生态环境厅",
        "省厅",
        UnitLevel::Province,
        "130000",
    )
    .await?;
    let province_depts = depts(&mut tx, now, province, PROVINCE_DEPTS, &hash).await?;
    for &d in &province_depts {
        staff(&mut tx, now, d, 2, &mut names, &hash).await?;
    }
    grant_leaders(&mut tx, now, &actor, &province_depts).await?;

    let mut tangshan = 0;
    let mut shijiazhuang_depts = Vec::new();
    let mut gaocheng_depts = Vec::new();
    for (code, city) in [
        ("130100", "石家庄市"),
        ("130200", "唐山市"),
        ("130300", "秦皇岛市"),
        ("130400", "邯郸市"),
        ("130500", "邢台市"),
        ("130600", "保定市"),
        ("130700", "张家口市"),
        ("130800", "承德市"),
        ("130900", "沧州市"),
        ("131000", "廊坊市"),
        ("131100", "衡水市"),
    ] {
        let name = format!("{city}生态环境局");
        let id = unit(
            &mut tx,
            now,
            Some(province),
            &name,
            &name,
            UnitLevel::City,
            code,
        )
        .await?;
        let specs = if code == "130100" {
            SHIJIAZHUANG_DEPTS
        } else {
            CITY_DEPTS
        };
        let city_depts = depts(&mut tx, now, id, specs, &hash).await?;
        if code == "130200" {
            tangshan = id;
            for &d in &city_depts {
                staff(&mut tx, now, d, 2, &mut names, &hash).await?;
            }
            grant_leaders(&mut tx, now, &actor, &city_depts).await?;
        }
        if code == "130100" {
            shijiazhuang_depts = city_depts;
            // The manual's own example of a county secretary account: sjzsgcq_dq.
            let gc = unit(
                &mut tx,
                now,
                Some(id),
                "石家庄市生态环境局藁城区分局",
                "藁城区分局",
                UnitLevel::County,
                "130109",
            )
            .await?;
            gaocheng_depts = depts(&mut tx, now, gc, COUNTY_DEPTS, &hash).await?;
        }
    }

    let mut yutian = 0;
    for region in yici_domain::region::children("130200") {
        let short = format!("{}分局", region.name);
        let name = format!("唐山市生态环境局{short}");
        let id = unit(
            &mut tx,
            now,
            Some(tangshan),
            &name,
            &short,
            UnitLevel::County,
            region.code,
        )
        .await?;
        let county_depts = depts(&mut tx, now, id, COUNTY_DEPTS, &hash).await?;
        if region.code == "130229" {
            yutian = id;
            for (i, &d) in county_depts.iter().enumerate() {
                staff(
                    &mut tx,
                    now,
                    d,
                    if i == 6 { 4 } else { 5 },
                    &mut names,
                    &hash,
                )
                .await?;
            }
            grant_leaders(&mut tx, now, &actor, &county_depts).await?;
            // The branch's own number patterns (DOC-3): 唐环行检批〔2025〕11-1号 ….
            for kind in yici_domain::documents::DocumentKind::numbered() {
                if let Some(pattern) = kind.yutian_pattern() {
                    tx.execute(
                        "INSERT INTO document_patterns (unit_id, kind, pattern, updated_at)
                         VALUES ($1, $2, $3, $4)",
                        yici_store::args![id, kind.as_str(), pattern, now],
                    )
                    .await?;
                }
            }
        } else {
            // A few officers per branch, so that later draws have subordinate people.
            staff(&mut tx, now, county_depts[0], 2, &mut names, &hash).await?;
        }
    }

    // Partner agencies of Yutian (ORG-8). 应急管理局's 执法大队 collides with the
    // branch's 执法大队 account and gets the deterministic suffix: tssytx_zfdd2.
    for (name, sector, dept, line) in [
        (
            "玉田县市场监督管理局",
            Sector::MarketRegulation,
            "执法稽查股",
            L::Partner,
        ),
        (
            "玉田县应急管理局",
            Sector::EmergencyManagement,
            "执法大队",
            L::Partner,
        ),
    ] {
        let id = units::create(
            &mut tx,
            now,
            &actor,
            NewUnit {
                parent_id: None,
                name: name.into(),
                short_name: name.into(),
                level: UnitLevel::County,
                sector,
                region_code: "130229".into(),
            },
        )
        .await?
        .id;
        let d = depts(&mut tx, now, id, &[(dept, K::Office, line)], &hash).await?;
        staff(&mut tx, now, d[0], 3, &mut names, &hash).await?;
    }
    // The manual's city and county, staffed last so that the people of the
    // units above keep the names and numbers they had: 石家庄市局's 大气处
    // and 办公室, and 藁城区分局's 大气股 and 办公室, with their leaders.
    for (specs, dept_ids) in [
        (SHIJIAZHUANG_DEPTS, &shijiazhuang_depts),
        (COUNTY_DEPTS, &gaocheng_depts),
    ] {
        let air = dept_ids[0];
        let office = dept_ids[specs.len() - 1];
        staff(&mut tx, now, air, 3, &mut names, &hash).await?;
        staff(&mut tx, now, office, 3, &mut names, &hash).await?;
        grant_leaders(&mut tx, now, &actor, &[air, office]).await?;
    }
    tx.commit().await?;
    // DOC-1: Yutian's item lists and plans for the current year.
    plans::load(db, now).await?;

    let mut conn = db.clone();
    // The logins that walk Yutian's whole chain, by the demo's grants.
    let air = people_of(&mut conn, yutian, "大气股").await?;
    let office = people_of(&mut conn, yutian, "办公室").await?;
    Ok(DemoLogins {
        lines: vec![
            ("系统管理员".into(), "admin".into()),
            (
                "玉田县分局大气股 文秘账号（抽取、设置任务、起草文书）".into(),
                "tssytx_dq".into(),
            ),
            (
                "玉田县分局水股 文秘账号（联合检查参与）".into(),
                "tssytx_s".into(),
            ),
            (
                "玉田县分局办公室 文秘账号（本单位处室与角色管理）".into(),
                "tssytx_bg".into(),
            ),
            (
                format!(
                    "玉田县分局大气股 管理员、承办机构负责人 {}（签批审批表）",
                    air[0].1
                ),
                air[0].0.clone(),
            ),
            (
                format!("玉田县分局大气股 执法人员 {}", air[1].1),
                air[1].0.clone(),
            ),
            (
                format!(
                    "玉田县分局 行政执法主体负责人 {}（批准审批表）",
                    office[0].1
                ),
                office[0].0.clone(),
            ),
            (
                format!(
                    "玉田县分局办公室 办公室 {}（编号盖章、结果公开）",
                    office[2].1
                ),
                office[2].0.clone(),
            ),
            ("唐山市局大气环境科 文秘账号".into(), "tss_dqhj".into()),
            (
                "省厅大气处 文秘账号（操作手册示例）".into(),
                "hbs_dq".into(),
            ),
            (
                "石家庄市局大气处 文秘账号（操作手册示例）".into(),
                "sjzs_dq".into(),
            ),
            (
                "石家庄市藁城区分局大气股 文秘账号（操作手册示例）".into(),
                "sjzsgcq_dq".into(),
            ),
        ],
    })
}

/// (mobile = login, name) of a unit's department's people, in id order.
async fn people_of(conn: &mut Db, unit_id: i64, department: &str) -> Result<Vec<(String, String)>> {
    let rows = conn
        .fetch_all(
            "SELECT p.mobile, p.name FROM people p JOIN departments d ON d.id = p.department_id
              WHERE d.unit_id = $1 AND d.name = $2 ORDER BY p.id",
            yici_store::args![unit_id, department],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((r.get("mobile")?, r.get("name")?)))
        .collect()
}

async fn unit(
    tx: &mut Tx,
    now: chrono::DateTime<chrono::Utc>,
    parent: Option<i64>,
    name: &str,
    short: &str,
    level: UnitLevel,
    region: &str,
) -> Result<i64> {
    Ok(units::create(
        tx,
        now,
        &Actor::system(),
        NewUnit {
            parent_id: parent,
            name: name.into(),
            short_name: short.into(),
            level,
            sector: Sector::Ecology,
            region_code: region.into(),
        },
    )
    .await?
    .id)
}

async fn depts(
    tx: &mut Tx,
    now: chrono::DateTime<chrono::Utc>,
    unit_id: i64,
    specs: &[DeptSpec],
    hash: &str,
) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for &(name, kind, line) in specs {
        let d = departments::create(
            tx,
            now,
            &Actor::system(),
            NewDepartment {
                unit_id,
                name: name.into(),
                kind,
                business_line: line,
            },
            hash,
        )
        .await?;
        ids.push(d.id);
    }
    Ok(ids)
}

/// `n` people; the first is the department's administrator. All are officers
/// except, in larger departments, the last one (a clerk without certificate).
async fn staff(
    tx: &mut Tx,
    now: chrono::DateTime<chrono::Utc>,
    department_id: i64,
    n: usize,
    names: &mut names::Names,
    hash: &str,
) -> Result<()> {
    for i in 0..n {
        let p = names.next();
        let officer = !(n >= 4 && i == n - 1);
        let input = PersonInput {
            name: Some(p.name),
            gender: Some(p.gender.into()),
            is_officer: Some(officer),
            certificate_no: officer.then_some(p.certificate_no),
            // Certificates run five years; the demo's were issued recently.
            certificate_valid_until: officer
                .then(|| now.date_naive() + chrono::Duration::days(365 * 3 + 17 * i as i64)),
            mobile: Some(p.mobile),
            office_phone: Some(p.office_phone),
            status: Some("enabled".into()),
            is_admin: Some(i == 0),
        };
        let valid = input.validate(true)?;
        people::create(tx, now, &Principal::system(), department_id, valid, hash).await?;
    }
    Ok(())
}

/// A unit's leaders: each department's administrator heads it (承办机构负责人);
/// the office (the last department given) has the unit head and deputy
/// (行政执法主体负责人) and the clerk who numbers documents (办公室) — its
/// first two people and its third, or with only two people its first as
/// head and its second as clerk.
async fn grant_leaders(
    tx: &mut Tx,
    now: chrono::DateTime<chrono::Utc>,
    actor: &Actor,
    dept_ids: &[i64],
) -> Result<()> {
    for (i, &d) in dept_ids.iter().enumerate() {
        let rows = tx
            .fetch_all(
                "SELECT a.id FROM accounts a JOIN people p ON p.id = a.person_id
                  WHERE p.department_id = $1 ORDER BY p.id",
                yici_store::args![d],
            )
            .await?;
        let accounts: Vec<i64> = rows.iter().map(|r| r.get("id")).collect::<Result<_, _>>()?;
        let is_office = i == dept_ids.len() - 1;
        let grants: Vec<(usize, Role)> = if is_office && accounts.len() < 3 {
            vec![(0, Role::UnitHead), (1, Role::OfficeClerk)]
        } else if is_office {
            vec![
                (0, Role::UnitHead),
                (1, Role::UnitHead),
                (2, Role::OfficeClerk),
            ]
        } else {
            vec![(0, Role::DepartmentHead)]
        };
        for (idx, role) in grants {
            if let Some(&acc) = accounts.get(idx) {
                auth::grant_role(tx, now, actor, acc, role).await?;
            }
        }
    }
    Ok(())
}

/// Default number of demo enterprises: a few thousand, most around Tangshan and Yutian.
pub const DEFAULT_ENTERPRISES: usize = 3000;

/// Loads `count` generated enterprises with their installations, in batches of
/// one transaction each (a benchmark registry of 200,000 stays within memory).
/// Generated enterprises are deterministic, so a re-run updates nothing.
pub async fn load_enterprises(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
    count: usize,
) -> Result<usize> {
    use yici_store::registry::enterprises::{upsert_many, Outcome, Registered};
    use yici_store::registry::facilities::{self, NewInstallations};
    const BATCH: usize = 2000;
    let editor = yici_store::registry::edits::Editor::system();
    let mut start = 0;
    while start < count {
        let end = (start + BATCH).min(count);
        let demo: Vec<enterprises::DemoEnterprise> =
            (start..end).map(enterprises::enterprise).collect();
        let valid = demo
            .iter()
            .map(|d| d.input.validate(false))
            .collect::<Result<Vec<_>, _>>()?;
        let mut tx = db.begin().await?;
        let outcomes = upsert_many(&mut tx, now, &editor, valid, Registered::Maybe).await?;
        let installations: Vec<NewInstallations> = outcomes
            .iter()
            .zip(demo)
            .filter(|((_, outcome), _)| *outcome == Outcome::Created)
            .map(|((id, _), d)| NewInstallations {
                enterprise_id: *id,
                outlets: d.outlets,
                treatment_facilities: d.treatment_facilities,
                production_facilities: d.production_facilities,
            })
            .collect();
        facilities::insert_many(&mut tx, now, &editor.actor, &installations).await?;
        tx.commit().await?;
        start = end;
    }
    yici_store::registry::tallies::compact(db).await?;
    yici_store::registry::enterprises::refresh_statistics(db).await?;
    Ok(count)
}

/// A few tasks of Yutian's departments, so the extraction list shows its marks
/// at once: 水股 and 固废股 have both extracted the first key enterprise of
/// the county (red for the unit), 水股 two more (yellow), and 土壤股 has made a
/// random draw of three. Skipped when the database already has tasks.
pub async fn load_tasks(db: &Db, now: chrono::DateTime<chrono::Utc>) -> Result<usize> {
    use yici_store::draw::{draws, tasks, Initiator};
    use yici_store::registry::search::Scope;
    let mut conn = db.clone();
    if conn
        .scalar_i64("SELECT COUNT(*) FROM tasks", vec![])
        .await?
        > 0
    {
        return Ok(0);
    }
    let keys: Vec<i64> = conn
        .fetch_all(
            "SELECT id FROM enterprises WHERE region_code = '130229' AND status = 'normal'
                AND NOT positive_list AND category = 'key' ORDER BY id LIMIT 3",
            vec![],
        )
        .await?
        .iter()
        .map(|r| r.get::<i64>("id"))
        .collect::<Result<_, _>>()?;
    if keys.len() < 3 {
        return Ok(0);
    }
    let policy = Default::default();
    let mut made = 0;
    let department = |name: &'static str| {
        let mut conn = db.clone();
        async move {
            let row = conn
                .fetch_one(
                    "SELECT d.id, d.unit_id FROM departments d JOIN units u ON u.id = d.unit_id
                      WHERE u.short_name = '玉田县分局' AND d.name = $1",
                    yici_store::args![name],
                )
                .await?;
            anyhow::Ok(Initiator {
                unit_id: row.get("unit_id")?,
                department_id: row.get("id")?,
                actor: Actor::system(),
                name: format!("玉田县分局{name}"),
                scope: Scope::County("130229".into()),
                principal: yici_domain::org::Principal::system(),
            })
        }
    };
    let routine = tasks::TaskOptions {
        source: Some("routine".into()),
        ..Default::default()
    };
    let water = department("水股").await?;
    made += tasks::create_directed(db, &policy, now, &water, &routine, &keys)
        .await?
        .len();
    let waste = department("固废股").await?;
    made += tasks::create_directed(db, &policy, now, &waste, &routine, &keys[..1])
        .await?
        .len();
    let soil = department("土壤股").await?;
    let request = draws::RandomRequest {
        options: routine,
        conditions: yici_store::registry::search::EnterpriseQuery {
            region_code: Some("130229".into()),
            ..Default::default()
        },
        count: Some(3),
    };
    made += draws::draw_enterprises(db, &policy, now, &soil, &request)
        .await?
        .tasks
        .len();
    Ok(made)
}
