//! Random extraction (非定向抽取, DRAW-3) and the draw records it leaves:
//! seed, algorithm, filter, the ordered candidate list with weights, the
//! commitment and the result. A record is never changed; a re-draw is a new
//! record. Anyone may re-run one (`yici draw verify`, the public page).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yici_domain::draw::policy::DrawPolicy;
use yici_domain::draw::record::{self, DrawRecord, Verification};
use yici_domain::draw::sampler::Candidate;
use yici_domain::draw::task::{Method, TaskStatus};
use yici_domain::registry::enterprise::CreditGrade;
use yici_domain::{DomainError, DomainResult};

use super::tasks::{self, Task, TaskOptions};
use super::{ledger, retrying, Initiator};
use crate::audit::{Change, Entry};
use crate::db::{Db, Exec, Row, Sql, Tx};
use crate::error::StoreResult;
use crate::registry::search::{self, EnterpriseQuery};

/// A request for a random extraction.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct RandomRequest {
    #[serde(flatten)]
    pub options: TaskOptions,
    /// The conditions (keyword, region, industry, category, credit grade);
    /// closed and suspended enterprises and the positive list are always left out.
    #[serde(default)]
    pub conditions: EnterpriseQuery,
    /// How many to draw: default 10.
    pub count: Option<i64>,
}

pub const DEFAULT_COUNT: i64 = 10;

/// A draw as anyone may see it: the commitment at once; the seed, the
/// candidate list and the result once every task of it is settled (the list
/// of drawn enterprises is confidential until the visits).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Draw {
    pub id: i64,
    /// `enterprises` or `inspectors`.
    pub kind: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub department_id: i64,
    pub department_name: String,
    pub task_id: Option<i64>,
    pub year: i64,
    pub drawn_by_name: String,
    pub drawn_at: DateTime<Utc>,
    pub algorithm: String,
    pub filter_json: String,
    pub candidate_count: i64,
    pub count: i64,
    pub candidates_hash: String,
    pub commitment: String,
    /// Seed, candidates and result: `None` while the record is sealed.
    pub seed: Option<String>,
    pub candidates: Option<String>,
    pub result: Option<Vec<i64>>,
    pub revealed: bool,
}

pub(crate) struct Stored {
    pub draw: Draw,
    pub record: DrawRecord,
}

const SELECT: &str = "SELECT dr.id, dr.kind, dr.unit_id, u.name AS unit_name, dr.department_id,
        d.name AS department_name, dr.task_id, dr.year, dr.drawn_by_name, dr.drawn_at,
        dr.algorithm, dr.seed, dr.filter_json, dr.candidate_count, dr.candidates,
        dr.candidates_hash, dr.commitment, dr.result
   FROM draws dr
   JOIN units u ON u.id = dr.unit_id
   JOIN departments d ON d.id = dr.department_id";

fn parse_result(text: &str) -> StoreResult<Vec<i64>> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| crate::error::StoreError::internal(format!("bad draw result {text}")))
        })
        .collect()
}

fn from_row(r: &Row) -> StoreResult<Stored> {
    let result = parse_result(&r.get::<String>("result")?)?;
    let record = DrawRecord {
        algorithm: r.get("algorithm")?,
        seed: r.get("seed")?,
        candidates: r.get("candidates")?,
        candidates_hash: r.get("candidates_hash")?,
        commitment: r.get("commitment")?,
        result: result.clone(),
    };
    Ok(Stored {
        draw: Draw {
            id: r.get("id")?,
            kind: r.get("kind")?,
            unit_id: r.get("unit_id")?,
            unit_name: r.get("unit_name")?,
            department_id: r.get("department_id")?,
            department_name: r.get("department_name")?,
            task_id: r.get("task_id")?,
            year: r.get("year")?,
            drawn_by_name: r.get("drawn_by_name")?,
            drawn_at: r.get("drawn_at")?,
            algorithm: record.algorithm.clone(),
            filter_json: r.get("filter_json")?,
            candidate_count: r.get("candidate_count")?,
            count: result.len() as i64,
            candidates_hash: record.candidates_hash.clone(),
            commitment: record.commitment.clone(),
            seed: Some(record.seed.clone()),
            candidates: Some(record.candidates.clone()),
            result: Some(result),
            revealed: true,
        },
        record,
    })
}

/// A fresh seed from the operating system's generator: nobody asking for a
/// draw can choose or foresee it.
pub fn fresh_seed() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    record::seed_from(bytes)
}

/// A draw about to be recorded.
pub(crate) struct NewDraw<'a> {
    /// `enterprises` or `inspectors`.
    pub kind: &'static str,
    pub task_id: Option<i64>,
    pub year: i64,
    pub filter_json: &'a str,
    pub candidate_count: usize,
    pub record: &'a DrawRecord,
}

/// Inserts a draw record; returns it as stored, without the candidate list
/// (a county's list runs to a megabyte: callers that show it read it back).
pub(crate) async fn insert(
    tx: &mut Tx,
    now: DateTime<Utc>,
    who: &Initiator,
    new: NewDraw<'_>,
) -> StoreResult<Draw> {
    let NewDraw {
        kind,
        task_id,
        year,
        filter_json,
        candidate_count,
        record: rec,
    } = new;
    let result: Vec<String> = rec.result.iter().map(i64::to_string).collect();
    // The names shown on the record come back with the id (one round trip).
    let row = tx
        .fetch_one(
        "INSERT INTO draws (kind, unit_id, department_id, task_id, year, drawn_by, drawn_by_name,
                            drawn_at, algorithm, seed, filter_json, candidate_count, candidates,
                            candidates_hash, commitment, result)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         RETURNING id, (SELECT name FROM units WHERE id = $2) AS unit_name,
                   (SELECT name FROM departments WHERE id = $3) AS department_name",
        crate::args![
            kind,
            who.unit_id,
            who.department_id,
            task_id,
            year,
            who.actor.account_id,
            who.name.as_str(),
            now,
            rec.algorithm.as_str(),
            rec.seed.as_str(),
            filter_json,
            candidate_count as i64,
            rec.candidates.as_str(),
            rec.candidates_hash.as_str(),
            rec.commitment.as_str(),
            result.join(","),
        ],
    )
    .await?;
    Ok(Draw {
        id: row.get("id")?,
        kind: kind.to_string(),
        unit_id: who.unit_id,
        unit_name: row.get("unit_name")?,
        department_id: who.department_id,
        department_name: row.get("department_name")?,
        task_id,
        year,
        drawn_by_name: who.name.clone(),
        drawn_at: yici_domain::time::truncate(now),
        algorithm: rec.algorithm.clone(),
        filter_json: filter_json.to_string(),
        candidate_count: candidate_count as i64,
        count: rec.result.len() as i64,
        candidates_hash: rec.candidates_hash.clone(),
        commitment: rec.commitment.clone(),
        seed: Some(rec.seed.clone()),
        candidates: None,
        result: Some(rec.result.clone()),
        revealed: true,
    })
}

/// The outcome of a random extraction: its record and the tasks created.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Drawn {
    pub draw: Draw,
    pub tasks: Vec<Task>,
}

fn check_count(count: Option<i64>) -> DomainResult<usize> {
    let n = count.unwrap_or(DEFAULT_COUNT);
    if n <= 0 {
        return Err(DomainError::field("count", "invalid", "抽取数量应大于0"));
    }
    if n > 200 {
        return Err(DomainError::field(
            "count",
            "too_many",
            "一次最多抽取200家企业",
        ));
    }
    Ok(n as usize)
}

/// The candidates of a random extraction for this department: the conditions,
/// in scope, normal status, not on the positive list, caps not reached; with
/// the weight of each one's credit grade.
pub(crate) async fn candidates(
    e: &mut impl Exec,
    policy: &DrawPolicy,
    who: &Initiator,
    year: i64,
    conditions: &EnterpriseQuery,
) -> StoreResult<Vec<Candidate>> {
    let mut q = conditions.clone();
    q.status = Some("normal".into());
    q.positive_list = Some("false".into());
    let filter = search::build(&who.scope, &q)?;
    // The few enterprises this department may no longer take are left out
    // here rather than by a NOT IN on every candidate row.
    let exhausted = ledger::exhausted(e, year, who.unit_id, who.department_id).await?;
    // One row with every candidate as `id:grade` text: a big county has tens
    // of thousands, and one string costs far less than as many rows.
    let (sql, args) = Sql::new(
        "SELECT string_agg(id || ':' || COALESCE(credit_grade, '-'), ',') AS list
           FROM enterprises WHERE ",
    )
    .push_sql(&filter.sql)
    .build();
    let row = e.fetch_one(&sql, args).await?;
    let list: Option<String> = row.get("list")?;
    let bad = |item: &str| crate::error::StoreError::internal(format!("candidate {item}"));
    list.as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (id, grade) = item.split_once(':').ok_or_else(|| bad(item))?;
            Ok(Candidate {
                id: id.parse().map_err(|_| bad(item))?,
                weight: policy.weights.of(CreditGrade::parse(grade)),
            })
        })
        .filter(|c| !matches!(c, Ok(c) if exhausted.contains(&c.id)))
        .collect()
}

/// What a random extraction would draw from, shown before the 确认 step:
/// the candidates matching the conditions now, and how many will be drawn.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RandomPreview {
    /// Enterprises matching the conditions that this department may still take.
    pub candidate_count: i64,
    /// How many the draw takes.
    pub count: i64,
    pub year: i64,
}

/// The 确认 step of 非定向抽取: the request checked exactly as the draw
/// checks it, and the candidates counted; nothing is written. The draw
/// counts again (another department may draw in between).
pub async fn preview(
    mut db: &Db,
    policy: &DrawPolicy,
    now: DateTime<Utc>,
    who: &Initiator,
    request: &RandomRequest,
) -> StoreResult<RandomPreview> {
    let today = yici_domain::time::business_date(now);
    let spec = random_spec(request, today)?;
    let count = check_count(request.count)?;
    let list = candidates(&mut db, policy, who, spec.year, &request.conditions).await?;
    if list.is_empty() {
        return Err(no_candidates().into());
    }
    if count > list.len() {
        return Err(DomainError::field(
            "count",
            "too_many",
            format!("抽取数量{count}超过符合条件且可抽取的企业数{}", list.len()),
        )
        .into());
    }
    Ok(RandomPreview {
        candidate_count: list.len() as i64,
        count: count as i64,
        year: spec.year,
    })
}

/// The task options of a random extraction: only capped sources.
fn random_spec(request: &RandomRequest, today: chrono::NaiveDate) -> DomainResult<tasks::Spec> {
    let spec = request.options.check(today, Method::Random)?;
    if !spec.source.is_capped() {
        return Err(DomainError::field(
            "source",
            "invalid",
            "非定向抽取用于日常检查和专项检查；投诉举报等线索请用定向抽取",
        ));
    }
    Ok(spec)
}

fn no_candidates() -> DomainError {
    DomainError::field("count", "no_candidates", "没有符合条件且可抽取的企业")
}

/// 非定向抽取: draws `count` enterprises and creates their tasks, in one
/// transaction with the draw record.
pub async fn draw_enterprises(
    db: &Db,
    policy: &DrawPolicy,
    now: DateTime<Utc>,
    who: &Initiator,
    request: &RandomRequest,
) -> StoreResult<Drawn> {
    let today = yici_domain::time::business_date(now);
    let spec = random_spec(request, today)?;
    let count = check_count(request.count)?;
    let filter_json = serde_json::to_string(&request.conditions)
        .map_err(|e| crate::error::StoreError::internal(e.to_string()))?;
    let seed = fresh_seed();
    // On PostgreSQL a concurrent extraction may take an enterprise between the
    // candidate query and the ledger update: the ledger refuses it, and the
    // draw is made again on the new candidate list (a refused attempt leaves
    // nothing behind). SQLite's write lock is held from the candidate query on.
    let mut refused_attempts = 0;
    loop {
        let outcome = retrying(|| async {
            let mut tx = db.begin().await?;
            let list = candidates(&mut tx, policy, who, spec.year, &request.conditions).await?;
            if list.is_empty() {
                return Err(no_candidates().into());
            }
            let rec = record::make(&seed, &list, count)?;
            let draw = insert(
                &mut tx,
                now,
                who,
                NewDraw {
                    kind: "enterprises",
                    task_id: None,
                    year: spec.year,
                    filter_json: &filter_json,
                    candidate_count: list.len(),
                    record: &rec,
                },
            )
            .await?;
            let names = names_of(&mut tx, &rec.result).await?;
            let chosen: Vec<(i64, String)> = rec
                .result
                .iter()
                .map(|id| (*id, names.get(id).cloned().unwrap_or_default()))
                .collect();
            let mut spec = spec.clone();
            spec.draw_id = Some(draw.id);
            match tasks::insert(&mut tx, policy, now, who, &spec, &chosen).await? {
                Err(_) => Ok(None),
                Ok(ids) => {
                    let drawn = Entry::of(Change::<(), Draw> {
                        action: "draw.enterprises",
                        entity: "draw",
                        entity_id: draw.id.to_string(),
                        before: None,
                        after: Some(&sealed(draw.clone())),
                    });
                    let tasks = tasks::audit_created(&mut tx, now, who, &ids, Some(drawn)).await?;
                    tx.commit().await?;
                    Ok(Some(Drawn { draw, tasks }))
                }
            }
        })
        .await?;
        match outcome {
            Some(drawn) => return Ok(drawn),
            None if refused_attempts < 5 => refused_attempts += 1,
            None => {
                return Err(DomainError::conflict(
                    "conflict",
                    "抽取时其他处室正在抽取相同企业，请稍后重试",
                )
                .into())
            }
        }
    }
}

async fn names_of(e: &mut impl Exec, ids: &[i64]) -> StoreResult<HashMap<i64, String>> {
    let (sql, args) = Sql::new("SELECT id, name FROM enterprises WHERE id IN ")
        .push_in(ids.iter().copied())
        .build();
    e.fetch_all(&sql, args)
        .await?
        .iter()
        .map(|r| Ok((r.get("id")?, r.get("name")?)))
        .collect()
}

pub(crate) async fn get_in(e: &mut impl Exec, id: i64) -> StoreResult<Stored> {
    let row = e
        .fetch_optional(&format!("{SELECT} WHERE dr.id = $1"), vec![id.into()])
        .await?
        .ok_or_else(|| DomainError::not_found("抽取记录不存在"))?;
    from_row(&row)
}

/// The draw with its secrets removed.
pub fn sealed(mut d: Draw) -> Draw {
    d.seed = None;
    d.candidates = None;
    d.result = None;
    d.revealed = false;
    d
}

/// Whether a draw's record may be shown to anyone: an enterprise draw once
/// every task it made is settled (inspected or cancelled).
async fn settled(e: &mut impl Exec, draw_id: i64) -> StoreResult<bool> {
    let open = e
        .scalar_i64(
            "SELECT COUNT(*) FROM tasks WHERE draw_id = $1 AND status NOT IN ($2, $3)",
            vec![
                draw_id.into(),
                TaskStatus::Completed.as_str().into(),
                TaskStatus::Cancelled.as_str().into(),
            ],
        )
        .await?;
    Ok(open == 0)
}

/// What the public sees of a draw, and the re-run once it is revealed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicDraw {
    pub draw: Draw,
    /// The enterprises drawn, in order (id, name), once revealed.
    pub drawn: Vec<(i64, String)>,
    pub verification: Option<Verification>,
}

/// The public view: enterprise draws only (inspector draws name officers).
pub async fn public(mut db: &Db, id: i64) -> StoreResult<PublicDraw> {
    let stored = get_in(&mut db, id).await?;
    if stored.draw.kind != "enterprises" {
        return Err(DomainError::not_found("抽取记录不存在").into());
    }
    if !settled(&mut db, id).await? {
        return Ok(PublicDraw {
            draw: sealed(stored.draw),
            drawn: Vec::new(),
            verification: None,
        });
    }
    let names = names_of(&mut db, &stored.record.result).await?;
    Ok(PublicDraw {
        drawn: stored
            .record
            .result
            .iter()
            .map(|id| (*id, names.get(id).cloned().unwrap_or_default()))
            .collect(),
        verification: Some(record::verify(&stored.record)?),
        draw: stored.draw,
    })
}

/// The full record, for the people of the drawing unit (and the system
/// administrator): they see it at once.
pub async fn internal(
    mut db: &Db,
    principal: &yici_domain::org::Principal,
    id: i64,
) -> StoreResult<PublicDraw> {
    let stored = get_in(&mut db, id).await?;
    let allowed = principal.has(yici_domain::org::Role::SystemAdmin)
        || principal.unit_id == Some(stored.draw.unit_id);
    if !allowed {
        return Err(DomainError::not_found("抽取记录不存在或无权查看").into());
    }
    let names = if stored.draw.kind == "enterprises" {
        names_of(&mut db, &stored.record.result).await?
    } else {
        people_names(&mut db, &stored.record.result).await?
    };
    Ok(PublicDraw {
        drawn: stored
            .record
            .result
            .iter()
            .map(|id| (*id, names.get(id).cloned().unwrap_or_default()))
            .collect(),
        verification: Some(record::verify(&stored.record)?),
        draw: stored.draw,
    })
}

async fn people_names(e: &mut impl Exec, ids: &[i64]) -> StoreResult<HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (sql, args) = Sql::new("SELECT id, name FROM people WHERE id IN ")
        .push_in(ids.iter().copied())
        .build();
    e.fetch_all(&sql, args)
        .await?
        .iter()
        .map(|r| Ok((r.get("id")?, r.get("name")?)))
        .collect()
}

/// Re-runs a stored draw (the `yici draw verify` command).
pub async fn verify(mut db: &Db, id: i64) -> StoreResult<(Draw, Verification)> {
    let stored = get_in(&mut db, id).await?;
    let v = record::verify(&stored.record)?;
    Ok((stored.draw, v))
}

/// Parses a draw kind from the record (for the CLI's output).
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "inspectors" => "检查人员抽取",
        _ => "企业抽取",
    }
}
