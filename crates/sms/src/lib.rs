//! SMS gateways of yici (JOINT-2).
//!
//! Messages are not sent from here directly by business code: they are
//! queued in the `sms_outbox` table (`yici_store::outbox`) inside the
//! transaction of the change they report, and a worker hands each due row to
//! an [`SmsGateway`]. Two gateways exist:
//!
//! * [`DevOutbox`], the default: sends nothing and succeeds at once; the
//!   outbox page (短信发件箱) shows what would have been sent;
//! * [`AliyunSms`]: Alibaba Cloud SMS, `SendSms` of Dysmsapi 2017-05-25, an
//!   RPC-style request signed with signature version 1.0 (HMAC-SHA1).
//!
//! A gateway answers with a [`Receipt`] or an [`SmsError`] that says whether
//! trying again later can help ([`SmsError::is_retryable`]); the worker backs
//! off and retries the first kind and gives up on the second.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

pub mod aliyun;
mod dev;

pub use aliyun::{AliyunConfig, AliyunSms};
pub use dev::DevOutbox;

/// One message handed to a gateway: a row of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingSms {
    /// The outbox id. Unique per message; sent to the provider as its
    /// external id (`OutId` at Alibaba Cloud) so a message can be traced.
    pub id: i64,
    /// Mainland mobile number, 11 digits.
    pub mobile: String,
    /// Our template key (`task_drawn`, …); the gateway maps it to the
    /// provider's template code.
    pub template: String,
    /// Template parameters, a JSON object.
    pub params_json: String,
    /// The text as the recipient reads it (the provider renders its own
    /// approved template; this is for the outbox page and the logs).
    pub body: String,
}

/// What the gateway answered when it accepted a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The gateway that accepted it (`outbox`, `aliyun`).
    pub provider: String,
    /// The provider's id of the message: Alibaba Cloud's `BizId`, or
    /// `dev-<outbox id>` for the development outbox.
    pub message_id: String,
}

/// Why a message was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No answer: connection refused or reset, timeout. Retried.
    Network,
    /// The provider failed or is unavailable (HTTP 5xx, system errors, an
    /// account out of credit). Retried.
    Provider,
    /// The provider throttled us (frequency or daily limits). Retried later.
    Throttled,
    /// The provider refused this message (bad number, content). Not retried.
    Rejected,
    /// Our configuration is wrong (credentials, sign name, no template code
    /// for the key). Not retried: the operator must fix it.
    Config,
}

impl ErrorKind {
    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::Network => "网络错误",
            ErrorKind::Provider => "服务商暂时无法发送",
            ErrorKind::Throttled => "服务商限流",
            ErrorKind::Rejected => "服务商拒绝发送",
            ErrorKind::Config => "短信配置错误",
        }
    }
}

/// A failed send: its kind, the provider's code when there is one, and a
/// message (ours in Chinese, or the provider's own, Chinese or English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsError {
    pub kind: ErrorKind,
    pub code: Option<String>,
    pub message: String,
}

impl SmsError {
    pub fn new(kind: ErrorKind, code: Option<String>, message: impl Into<String>) -> SmsError {
        SmsError {
            kind,
            code,
            message: message.into(),
        }
    }

    pub fn network(message: impl Into<String>) -> SmsError {
        SmsError::new(ErrorKind::Network, None, message)
    }

    pub fn config(message: impl Into<String>) -> SmsError {
        SmsError::new(ErrorKind::Config, None, message)
    }

    /// Whether sending again later can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Network | ErrorKind::Provider | ErrorKind::Throttled
        )
    }
}

impl fmt::Display for SmsError {
    /// `服务商限流（isv.BUSINESS_LIMIT_CONTROL）：触发天级流控Permits:10`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.label())?;
        if let Some(code) = &self.code {
            write!(f, "（{code}）")?;
        }
        if !self.message.is_empty() {
            write!(f, "：{}", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for SmsError {}

/// The future a gateway's [`SmsGateway::send`] returns: boxed, so gateways
/// live behind `Arc<dyn SmsGateway>`.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<Receipt, SmsError>> + Send + 'a>>;

/// Something that sends one SMS.
///
/// Implementations must be safe to call concurrently; a send should end
/// (success, error or timeout) well within the worker's lease, or another
/// instance may take the message over and send it again.
pub trait SmsGateway: Send + Sync + 'static {
    /// Short name stored with each sent message (`outbox`, `aliyun`).
    fn provider(&self) -> &'static str;
    /// How pages name this gateway.
    fn label(&self) -> &'static str;
    /// Sends one message.
    fn send<'a>(&'a self, msg: &'a OutgoingSms) -> SendFuture<'a>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_what_and_whether_to_retry() {
        let e = SmsError::new(
            ErrorKind::Throttled,
            Some("isv.BUSINESS_LIMIT_CONTROL".into()),
            "触发天级流控Permits:10",
        );
        assert!(e.is_retryable());
        assert_eq!(
            e.to_string(),
            "服务商限流（isv.BUSINESS_LIMIT_CONTROL）：触发天级流控Permits:10"
        );
        assert!(!SmsError::config("模板 x 未配置").is_retryable());
        assert!(SmsError::network("connection refused").is_retryable());
    }
}
