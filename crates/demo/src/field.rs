//! The field app in the demo (APP-1, APP-2, APP-7): 水股's demo tasks get a
//! planned date (tomorrow) and two of its officers as inspectors, so that
//! logging in with the first inspector's mobile shows them at `/m`; the
//! enterprise of the first task is the one to sign up for at `/e/signup`.

use anyhow::Result;
use yici_store::draw::Initiator;
use yici_store::joint::settings::{self, TaskSettings};
use yici_store::registry::search::Scope;
use yici_store::{Actor, Db, Exec};

/// What `yici demo` prints for the field app.
pub struct FieldDemo {
    /// Mobile (login) of 水股's first inspector.
    pub inspector_mobile: String,
    pub inspector_name: String,
    /// The inspected enterprise of the first task: to try the enterprise sign-up.
    pub enterprise_uscc: String,
    pub enterprise_name: String,
}

/// Schedules up to two of 水股's open demo tasks with two of its officers.
pub async fn schedule_demo_tasks(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<FieldDemo>> {
    let mut conn = db.clone();
    let Some(dept) = conn
        .fetch_optional(
            "SELECT d.id, d.unit_id FROM departments d JOIN units u ON u.id = d.unit_id
              WHERE u.short_name = '玉田县分局' AND d.name = '水股'",
            vec![],
        )
        .await?
    else {
        return Ok(None);
    };
    let department_id: i64 = dept.get("id")?;
    let officers = conn
        .fetch_all(
            "SELECT id, name, mobile FROM people
              WHERE department_id = $1 AND is_officer AND status = 'enabled'
              ORDER BY is_admin DESC, id LIMIT 2",
            yici_store::args![department_id],
        )
        .await?;
    if officers.len() < 2 {
        return Ok(None);
    }
    let tasks = conn
        .fetch_all(
            "SELECT t.id, e.uscc, e.name FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
              WHERE t.department_id = $1 AND t.status = 'drawn' ORDER BY t.id LIMIT 2",
            yici_store::args![department_id],
        )
        .await?;
    let Some(first) = tasks.first() else {
        return Ok(None);
    };
    let who = Initiator {
        unit_id: dept.get("unit_id")?,
        department_id,
        actor: Actor::system(),
        name: "玉田县分局水股".into(),
        scope: Scope::County("130229".into()),
        principal: yici_domain::org::Principal::system(),
    };
    let request = TaskSettings {
        planned_on: Some(yici_domain::time::business_date(now) + chrono::Duration::days(1)),
        inspector_ids: officers
            .iter()
            .map(|r| r.get::<i64>("id"))
            .collect::<Result<_, _>>()?,
    };
    for t in &tasks {
        settings::set(db, now, &who, t.get("id")?, &request).await?;
    }
    Ok(Some(FieldDemo {
        inspector_mobile: officers[0].get("mobile")?,
        inspector_name: officers[0].get("name")?,
        enterprise_uscc: first.get("uscc")?,
        enterprise_name: first.get("name")?,
    }))
}

/// What `yici demo` prints for the results flow.
pub struct VisitDemo {
    pub enterprise_name: String,
    pub task_id: i64,
}

/// Yutian's office clerk releases the demo result (一公开), so that the
/// public results page opens with one record.
async fn release_demo_result(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
    task_id: i64,
) -> Result<()> {
    let mut conn = db.clone();
    let Some(clerk) = conn
        .fetch_optional(
            "SELECT a.login FROM accounts a
               JOIN role_grants g ON g.account_id = a.id AND g.role = 'office_clerk'
               JOIN people p ON p.id = a.person_id
               JOIN departments d ON d.id = p.department_id
               JOIN units u ON u.id = d.unit_id
              WHERE u.short_name = '玉田县分局' ORDER BY a.id LIMIT 1",
            vec![],
        )
        .await?
    else {
        return Ok(());
    };
    let login: String = clerk.get("login")?;
    if let Some(p) = yici_store::auth::principal_by_login(&mut conn, &login).await? {
        yici_store::publication::release(db, now, &p, task_id).await?;
    }
    Ok(())
}

/// The second scheduled 水股 task is visited today (check-in skipped, as the
/// enterprise had no smartphone) and its first inspector submits a result
/// with one problem, so the demo opens with a result on the task page and a
/// rectification waiting to be sent (RES-1).
pub async fn visit_demo_task(
    db: &Db,
    now: chrono::DateTime<chrono::Utc>,
    field: &FieldDemo,
) -> Result<Option<VisitDemo>> {
    use yici_domain::field::results::{ItemInput, ResultInput};
    let mut conn = db.clone();
    let Some(task) = conn
        .fetch_optional(
            "SELECT t.id, e.name FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
               JOIN departments d ON d.id = t.department_id JOIN units u ON u.id = d.unit_id
              WHERE u.short_name = '玉田县分局' AND d.name = '水股' AND t.status = 'scheduled'
              ORDER BY t.id LIMIT 1 OFFSET 1",
            vec![],
        )
        .await?
    else {
        return Ok(None);
    };
    let task_id: i64 = task.get("id")?;
    let Some(inspector) =
        yici_store::auth::principal_by_login(&mut conn, &field.inspector_mobile).await?
    else {
        return Ok(None);
    };
    conn.execute(
        "UPDATE tasks SET checked_in_at = $1, check_in_method = 'skipped',
                check_in_skip_reason = '企业现场负责人无智能手机，检查人员出示执法证件后开始检查',
                status = 'in_progress'
          WHERE id = $2",
        yici_store::args![now, task_id],
    )
    .await?;
    let entry = yici_store::field::results::entry(db, &inspector, now, task_id, None).await?;
    let Some((first, second)) = entry.items.first().zip(entry.items.get(1)) else {
        return Ok(None);
    };
    let input = ResultInput {
        client_id: Some(format!("demo-result-{task_id}")),
        department_id: None,
        items: vec![
            ItemInput {
                item_id: Some(first.id),
                has_problem: Some(false),
                ..ItemInput::default()
            },
            ItemInput {
                item_id: Some(second.id),
                has_problem: Some(true),
                problem_description: Some(
                    "污水处理站在线监测设备取样管路破损，部分时段数据缺失；运维记录未按规定填写。"
                        .into(),
                ),
                ..ItemInput::default()
            },
        ],
        enterprise_situation: Some(
            "企业正常生产，主要产品为钢材深加工；环保负责人在场配合检查。".into(),
        ),
        onsite_findings: Some("污水处理设施运行，自动监测设备取样管路破损，需限期整改。".into()),
        evidence_ids: Vec::new(),
    };
    yici_store::field::results::submit(db, now, &inspector, task_id, &input).await?;
    release_demo_result(db, now, task_id).await?;
    Ok(Some(VisitDemo {
        enterprise_name: task.get("name")?,
        task_id,
    }))
}
