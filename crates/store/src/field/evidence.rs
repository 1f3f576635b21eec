//! 影像资料 (RESULT-2): photos uploaded as they are taken, checked by their
//! content, kept outside the database in the evidence folder under their
//! SHA-256 (`ab/abcdef….jpg`), and attached to the result on submission.
//!
//! The file is written (to a temporary name, then renamed) before its row is
//! inserted: a file without a row is harmless (the same content always has
//! the same name), a row without a file cannot happen. A retried upload with
//! the same `client_id` returns the first row.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use yici_domain::field::results::{self, ImageKind};
use yici_domain::org::Principal;
use yici_domain::DomainError;

use super::results::{
    already_submitted, check_open, evidence_of, lock_task, reporter, submitted_id, Evidence,
    EVIDENCE_SELECT,
};
use crate::audit::{self, Change};
use crate::db::{Db, Exec};
use crate::draw::tasks;
use crate::error::{StoreError, StoreResult};

/// An upload as received.
pub struct Upload {
    pub bytes: Vec<u8>,
    /// Optional: makes a retried upload return the first row.
    pub client_id: Option<String>,
    /// The participating department (default: the inspector's on the task).
    pub department_id: Option<i64>,
}

/// Stores a photo for the uploader's department on a task; returns the row
/// and whether it is new.
pub async fn upload(
    db: &Db,
    dir: &Path,
    max_bytes: usize,
    now: DateTime<Utc>,
    principal: &Principal,
    task_id: i64,
    upload: Upload,
) -> StoreResult<(Evidence, bool)> {
    let kind = results::check_upload(&upload.bytes, max_bytes)?;
    let client_id = upload
        .client_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| results::check_client_id(Some(s)))
        .transpose()?;
    let sha = hex::encode(Sha256::digest(&upload.bytes));
    let task = tasks::get(db, principal, now, task_id).await?;
    let mut tx = db.begin().await?;
    let visit = lock_task(&mut tx, task_id).await?;
    let who = reporter(&mut tx, principal, &task, upload.department_id).await?;
    if let Some(c) = &client_id {
        if let Some(row) = tx
            .fetch_optional(
                &format!(
                    "{EVIDENCE_SELECT} WHERE task_id = $1 AND department_id = $2 AND client_id = $3"
                ),
                crate::args![task_id, who.department_id, c.as_str()],
            )
            .await?
        {
            let found = evidence_of(&row)?;
            if found.sha256 != sha {
                return Err(DomainError::conflict(
                    "client_id_conflict",
                    "该上传编号已用于另一张照片",
                )
                .on("client_id")
                .into());
            }
            return Ok((found, false));
        }
    }
    check_open(&visit)?;
    if submitted_id(&mut tx, task_id, who.department_id)
        .await?
        .is_some()
    {
        return Err(already_submitted().into());
    }
    let relative = format!("{}/{}.{}", &sha[..2], sha, kind.extension());
    let size = i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX);
    write_file(dir.join(&relative), upload.bytes).await?;
    let row = tx
        .fetch_one(
            "INSERT INTO evidence (task_id, department_id, client_id, sha256, content_type,
                    size_bytes, stored_path, uploaded_by, uploaded_by_name, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            crate::args![
                task_id,
                who.department_id,
                client_id.as_deref(),
                sha.as_str(),
                kind.as_str(),
                size,
                relative.as_str(),
                who.person_id,
                who.name.as_str(),
                now
            ],
        )
        .await?;
    let id: i64 = row.get("id")?;
    let evidence = evidence_of(
        &tx.fetch_one(
            &format!("{EVIDENCE_SELECT} WHERE id = $1"),
            crate::args![id],
        )
        .await?,
    )?;
    audit::record(
        &mut tx,
        now,
        &who.actor,
        Change::<(), Evidence> {
            action: "evidence.upload",
            entity: "evidence",
            entity_id: id.to_string(),
            before: None,
            after: Some(&evidence),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((evidence, true))
}

/// Writes a content-addressed file once: to a temporary name in the same
/// folder, synced, then renamed into place.
pub(crate) async fn write_file(path: PathBuf, bytes: Vec<u8>) -> StoreResult<()> {
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        if path.exists() {
            return Ok(());
        }
        let folder = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder)?;
        let tmp = folder.join(format!(
            ".upload-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &path)
    })
    .await
    .map_err(|e| StoreError::internal(format!("evidence write: {e}")))?
    .map_err(|e| StoreError::internal(format!("evidence write: {e}")))
}

/// An evidence file the principal may see (anyone who may see its task):
/// its row and where its file is.
pub async fn file(
    mut db: &Db,
    dir: &Path,
    principal: &Principal,
    now: DateTime<Utc>,
    id: i64,
) -> StoreResult<(Evidence, PathBuf)> {
    let row = db
        .fetch_optional(
            "SELECT task_id, stored_path FROM evidence WHERE id = $1",
            crate::args![id],
        )
        .await?
        .ok_or_else(|| DomainError::not_found("影像资料不存在"))?;
    let task_id: i64 = row.get("task_id")?;
    tasks::get(db, principal, now, task_id).await?;
    let stored: String = row.get("stored_path")?;
    let evidence = evidence_of(
        &db.fetch_one(
            &format!("{EVIDENCE_SELECT} WHERE id = $1"),
            crate::args![id],
        )
        .await?,
    )?;
    Ok((evidence, dir.join(stored)))
}

/// The kind of a stored file's content type (for serving it).
pub fn kind_of(evidence: &Evidence) -> Option<ImageKind> {
    ImageKind::parse(&evidence.content_type)
}
