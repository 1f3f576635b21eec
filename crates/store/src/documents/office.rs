//! 办公室编号盖章 (DOC-3): numbering documents, several at a time.
//!
//! A number is taken from the counter row of its (unit, kind, year), whose
//! lock is held until the transaction commits — so numberings of one kind
//! follow one another, each waiting for the previous commit to reach the
//! disk. Numbering the documents that are waiting together, in one
//! transaction (one counter update of +k, one commit), keeps the numbers
//! gapless and in request order while the disk flush is paid once per batch
//! instead of once per document: the application's own group commit.
//! [`NumberingQueue`] collects the requests of one server; every instance has
//! its own, and their batches queue on the same counter row.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Datelike, Utc};
use tokio::sync::{mpsc, oneshot};
use yici_domain::documents::forms::Form;
use yici_domain::documents::workflow::{self, Action};
use yici_domain::documents::DocumentKind;
use yici_domain::org::Principal;
use yici_domain::DomainError;

use super::draft::doc_actor;
use super::workflow::{check_may_number, to_json};
use super::{load_bare, numbering, Document};
use crate::audit::{self, Change, Entry};
use crate::db::{Db, Exec, Param, Sql, Tx};
use crate::draw::retrying;
use crate::error::{StoreError, StoreResult};
use crate::Actor;

/// One 编号盖章 request.
#[derive(Debug, Clone)]
pub struct NumberRequest {
    pub now: DateTime<Utc>,
    pub principal: Principal,
    pub id: i64,
}

/// The request's document may be seen by its principal (checked before the
/// batch, outside the counter's lock).
async fn check_visible(db: &Db, r: &NumberRequest) -> StoreResult<()> {
    super::ensure_visible(db, &r.principal, r.now, r.id).await
}

/// A request that passed its checks: its document moved to 已编号 in the
/// transaction, its number still to come.
struct Passed {
    index: usize,
    before: Document,
    after: Document,
}

/// Checks one request and moves its document to 已编号 (number still to come).
/// A refusal is the request's own and leaves nothing written for it. Three
/// statements at most: this runs inside the batch, one request after another.
async fn prepare(tx: &mut Tx, r: &NumberRequest) -> StoreResult<(Document, Document)> {
    let (before, head) = load_bare(tx, r.id).await?;
    let actor = doc_actor(&r.principal, before.department_id, before.unit_id);
    let status = workflow::decide(before.kind, before.status, Action::Number, &actor, head)?;
    check_may_number(tx, &before).await?;
    let today = yici_domain::time::business_date(r.now);
    let mut after = before.clone();
    match &mut after.form {
        Form::InspectionNotice(f) if f.issued_on.is_none() => f.issued_on = Some(today),
        Form::SamplingNotice(f) if f.issued_on.is_none() => f.issued_on = Some(today),
        _ => {}
    }
    // Only from the status decided on: a concurrent step (a double click, an
    // instance's batch) must not number the same document twice.
    let changed = tx
        .execute(
            "UPDATE documents SET status = $1, form = $2, updated_at = $3 WHERE id = $4 AND status = $5",
            crate::args![status.as_str(), to_json(&after.form)?, r.now, r.id, before.status.as_str()],
        )
        .await?;
    if changed == 0 {
        return Err(super::workflow::changed_meanwhile());
    }
    after.status = status;
    after.status_label = status.label().to_string();
    after.updated_at = r.now;
    after.year = Some(i64::from(today.year()));
    after.numbered_at = Some(r.now);
    after.numbered_by_name = Some(r.principal.display_name.clone());
    Ok((before, after))
}

/// Numbers the requested documents in one transaction. Each request gets its
/// own outcome, in order: a document that may not be numbered is refused
/// without costing a number or affecting the others. A database failure
/// fails the whole batch (nothing is written).
pub async fn number_batch(
    db: &Db,
    requests: &[NumberRequest],
) -> StoreResult<Vec<Result<Document, DomainError>>> {
    retrying(|| async {
        let mut tx = db.begin().await?;
        let mut outcomes: Vec<Option<Result<Document, DomainError>>> = vec![None; requests.len()];
        let mut passed = Vec::new();
        for (index, r) in requests.iter().enumerate() {
            match prepare(&mut tx, r).await {
                Ok((before, after)) => passed.push(Passed {
                    index,
                    before,
                    after,
                }),
                Err(StoreError::Domain(d)) => outcomes[index] = Some(Err(d)),
                Err(other) => return Err(other),
            }
        }
        if passed.is_empty() {
            tx.commit().await?;
            return Ok(outcomes.into_iter().map(|o| o.expect("refused")).collect());
        }
        // The counters last, in a fixed order (two batches never wait on each
        // other's rows crosswise), k numbers of a kind in one update.
        let mut groups: BTreeMap<(i64, &'static str, i64), Vec<usize>> = BTreeMap::new();
        for (i, p) in passed.iter().enumerate() {
            let key = (
                p.after.unit_id,
                p.after.kind.as_str(),
                p.after.year.unwrap_or_default(),
            );
            groups.entry(key).or_default().push(i);
        }
        for ((unit_id, kind, year), members) in &groups {
            let kind = DocumentKind::parse(kind).expect("a kind's own code");
            let year = i32::try_from(*year).expect("a business year");
            let pattern = numbering::pattern(&mut tx, *unit_id, kind).await?;
            let k = members.len() as i64;
            let last = numbering::allocate(&mut tx, *unit_id, kind, year, k).await?;
            for (offset, &i) in members.iter().enumerate() {
                let n = last - k + 1 + offset as i64;
                passed[i].after.number = Some(n);
                passed[i].after.number_text = Some(pattern.format(year, n));
            }
        }
        write_numbers(&mut tx, &passed).await?;
        write_history(&mut tx, requests, &passed).await?;
        for p in passed {
            outcomes[p.index] = Some(Ok(p.after));
        }
        tx.commit().await?;
        Ok(outcomes
            .into_iter()
            .map(|o| o.expect("every request has an outcome"))
            .collect())
    })
    .await
}

/// The numbers onto the documents, in one statement.
async fn write_numbers(tx: &mut Tx, passed: &[Passed]) -> StoreResult<()> {
    let mut sql = Sql::new("UPDATE documents SET ");
    // Each document's id and its five values, bound in that order.
    let bound: Vec<(Param, [Param; 5])> = passed
        .iter()
        .map(|p| {
            let a = &p.after;
            (
                sql.bind(a.id),
                [
                    sql.bind(a.year),
                    sql.bind(a.number),
                    sql.bind(a.number_text.clone()),
                    sql.bind(a.numbered_at),
                    sql.bind(a.numbered_by_name.clone()),
                ],
            )
        })
        .collect();
    let columns = [
        "year",
        "number",
        "number_text",
        "numbered_at",
        "numbered_by_name",
    ];
    for (c, column) in columns.iter().enumerate() {
        if c > 0 {
            sql.push(", ");
        }
        sql.push(&format!("{column} = CASE id"));
        for (id, values) in &bound {
            sql.push(" WHEN ")
                .push_param(*id)
                .push(" THEN ")
                .push_param(values[c]);
        }
        sql.push(" END");
    }
    sql.push(" WHERE id IN (");
    for (i, (id, _)) in bound.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push_param(*id);
    }
    let (sql, args) = sql.push(")").build();
    tx.execute(&sql, args).await?;
    Ok(())
}

/// The history lines (one statement) and the audit entries (one append per
/// run of requests by the same clerk).
async fn write_history(
    tx: &mut Tx,
    requests: &[NumberRequest],
    passed: &[Passed],
) -> StoreResult<()> {
    let mut sql = Sql::new(
        "INSERT INTO document_events (document_id, action, status_after, person_id, actor_name, opinion, at) VALUES ",
    );
    for (i, p) in passed.iter().enumerate() {
        let r = &requests[p.index];
        if i > 0 {
            sql.push(",");
        }
        sql.push_with(
            "(?1, ?2, ?3, ?4, ?5, NULL, ?6)",
            crate::args![
                r.id,
                Action::Number.as_str(),
                p.after.status.as_str(),
                r.principal.person_id,
                &r.principal.display_name,
                r.now
            ],
        );
    }
    let (sql, args) = sql.build();
    tx.execute(&sql, args).await?;
    let mut start = 0;
    while start < passed.len() {
        let who = &requests[passed[start].index];
        let mut end = start + 1;
        while end < passed.len()
            && requests[passed[end].index].principal.account_id == who.principal.account_id
        {
            end += 1;
        }
        let entries = passed[start..end]
            .iter()
            .map(|p| {
                Entry::of(Change {
                    action: "document.number",
                    entity: "document",
                    entity_id: p.after.id.to_string(),
                    before: Some(&p.before),
                    after: Some(&p.after),
                })
            })
            .collect();
        audit::record_many(tx, who.now, &Actor::from(&who.principal), entries).await?;
        start = end;
    }
    Ok(())
}

/// Numbers one document (visibility checked), as a batch of one.
pub async fn number_one(db: &Db, request: NumberRequest) -> StoreResult<Document> {
    check_visible(db, &request).await?;
    number_batch(db, std::slice::from_ref(&request))
        .await?
        .pop()
        .expect("one outcome")
        .map_err(Into::into)
}

/// Requests waiting longer than this many at once are left for the next batch.
const MAX_BATCH: usize = 64;

struct Queued {
    request: NumberRequest,
    reply: oneshot::Sender<StoreResult<Document>>,
}

/// The server's numbering queue: requests arriving while a batch runs are
/// numbered together in the next one. Started on first use.
#[derive(Clone, Default)]
pub struct NumberingQueue {
    sender: Arc<OnceLock<mpsc::UnboundedSender<Queued>>>,
}

impl NumberingQueue {
    pub fn new() -> NumberingQueue {
        NumberingQueue::default()
    }

    fn sender(&self, db: &Db) -> &mpsc::UnboundedSender<Queued> {
        self.sender.get_or_init(|| {
            let (tx, mut rx) = mpsc::unbounded_channel::<Queued>();
            let db = db.clone();
            tokio::spawn(async move {
                while let Some(first) = rx.recv().await {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(q) => batch.push(q),
                            Err(_) => break,
                        }
                    }
                    let requests: Vec<NumberRequest> =
                        batch.iter().map(|q| q.request.clone()).collect();
                    match number_batch(&db, &requests).await {
                        Ok(outcomes) => {
                            for (q, o) in batch.into_iter().zip(outcomes) {
                                let _ = q.reply.send(o.map_err(Into::into));
                            }
                        }
                        Err(e) => {
                            let message = e.to_string();
                            for q in batch {
                                let _ = q.reply.send(Err(StoreError::internal(message.clone())));
                            }
                        }
                    }
                }
            });
            tx
        })
    }

    /// Numbers and stamps a document; concurrent requests share a transaction.
    pub async fn number(&self, db: &Db, request: NumberRequest) -> StoreResult<Document> {
        check_visible(db, &request).await?;
        let (reply, answer) = oneshot::channel();
        self.sender(db)
            .send(Queued { request, reply })
            .map_err(|_| StoreError::internal("numbering queue stopped"))?;
        answer
            .await
            .map_err(|_| StoreError::internal("numbering queue dropped a request"))?
    }
}
