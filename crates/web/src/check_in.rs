//! 检查二维码 (APP-2) as both the field pages and the field API use it: the
//! address the codes lead to, a code issued for an inspector on a task and
//! its QR image, what a scanned code says, and the enterprise account's
//! confirmation of a genuine code.

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use yici_domain::field::checkin::{self as rules, CheckInClaim, Verdict};
use yici_domain::org::Role;
use yici_domain::DomainError;
use yici_store::field::checkin::{self, FieldTask};
use yici_store::field::enterprise_accounts::{self, EnterpriseRef};

use crate::error::ApiResult;
use crate::session;
use crate::state::AppState;

/// The address QR codes lead to: the configured public URL, or the scheme
/// and Host of the request.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if session::secure_request(state, headers) {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// A QR code of `text` as inline SVG (dark modules on white, with the quiet zone).
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .build();
            // Inline in HTML: without the XML declaration.
            match svg.find("<svg") {
                Some(at) => svg[at..].to_string(),
                None => svg,
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "QR code not rendered");
            String::new()
        }
    }
}

/// A freshly issued 检查二维码.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInCode {
    /// The signed token (URL-safe).
    pub token: String,
    /// What the QR code encodes: the enterprise side's check-in page.
    pub url: String,
    pub expires_at: DateTime<Utc>,
    /// The QR code of `url` as an SVG document.
    pub svg: String,
    /// 企业端下载: where an enterprise signs up.
    pub signup_url: String,
}

/// Signs a claim for `person` on `task` and renders its QR code.
pub fn issue(state: &AppState, headers: &HeaderMap, task: i64, person: i64) -> CheckInCode {
    let claim = CheckInClaim::new(task, person, state.now());
    let token = rules::sign(&state.config.check_in_key, &claim);
    let base = base_url(state, headers);
    let url = format!("{base}/e/check-in?token={token}");
    CheckInCode {
        svg: qr_svg(&url),
        url,
        token,
        expires_at: claim.expires_at,
        signup_url: format!("{base}/e/signup"),
    }
}

/// What a scanned code says.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CheckInVerification)] // a schema name of its own (several `Verification`s)
pub struct Verification {
    /// `genuine`, `expired` or `invalid`.
    pub verdict: String,
    /// 真实有效 / 已过期 / 无效（伪造或被篡改）, or why a signed code no longer holds.
    pub message: String,
    pub expires_at: Option<DateTime<Utc>>,
    /// The inspection plan, for a genuine code only.
    pub plan: Option<FieldTask>,
}

/// Verifies a token and, when genuine, the plan it stands for.
pub async fn verification(state: &AppState, token: &str) -> ApiResult<(Verdict, Verification)> {
    let verdict = rules::verify(&state.config.check_in_key, token, state.now());
    let mut out = Verification {
        verdict: verdict.code().into(),
        message: verdict.label().into(),
        expires_at: None,
        plan: None,
    };
    match verdict {
        Verdict::Genuine(claim) => {
            out.expires_at = Some(claim.expires_at);
            match checkin::plan_of_claim(&state.db, &claim, state.now()).await? {
                Ok(plan) => out.plan = Some(plan),
                Err(why) => {
                    out.verdict = "invalid".into();
                    out.message = format!("无效：{why}");
                    return Ok((Verdict::Invalid, out));
                }
            }
        }
        Verdict::Expired(claim) => out.expires_at = Some(claim.expires_at),
        Verdict::Invalid => {}
    }
    Ok((verdict, out))
}

/// The enterprise account confirms a genuine code shown to it: the task
/// records the check-in (method `qr`) once and moves to 检查中.
pub async fn confirm_token(
    state: &AppState,
    principal: &yici_domain::org::Principal,
    token: &str,
) -> ApiResult<FieldTask> {
    let enterprise = enterprise_account(state, principal).await?;
    let claim = match rules::verify(&state.config.check_in_key, token, state.now()) {
        Verdict::Genuine(c) => c,
        Verdict::Expired(_) => {
            return Err(DomainError::invalid(
                "token_expired",
                "检查二维码已过期，请检查人员重新出示",
            )
            .into())
        }
        Verdict::Invalid => {
            return Err(
                DomainError::invalid("invalid_token", "检查二维码无效（伪造或被篡改）").into(),
            )
        }
    };
    // checked_in_by_name: the confirming enterprise (its account is in the audit trail).
    Ok(checkin::confirm(
        &state.db,
        state.now(),
        principal,
        enterprise.id,
        &enterprise.name,
        &claim,
    )
    .await?)
}

pub async fn enterprise_account(
    state: &AppState,
    principal: &yici_domain::org::Principal,
) -> ApiResult<EnterpriseRef> {
    if !principal.has(Role::EnterpriseUser) {
        return Err(DomainError::forbidden("只有企业账号可以确认检查").into());
    }
    enterprise_accounts::enterprise_of(&state.db, principal.account_id)
        .await?
        .ok_or_else(|| DomainError::forbidden("企业账号未关联企业").into())
}
