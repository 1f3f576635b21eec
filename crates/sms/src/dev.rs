//! The development outbox: sends nothing.

use crate::{OutgoingSms, Receipt, SendFuture, SmsGateway};

/// The default gateway: every message "succeeds" at once with the receipt
/// `dev-<outbox id>` and reaches no phone. The outbox table is the record of
/// what would have been sent, shown on the 短信发件箱 page.
#[derive(Debug, Default, Clone, Copy)]
pub struct DevOutbox;

impl SmsGateway for DevOutbox {
    fn provider(&self) -> &'static str {
        "outbox"
    }

    fn label(&self) -> &'static str {
        "开发发件箱（不实际发送）"
    }

    fn send<'a>(&'a self, msg: &'a OutgoingSms) -> SendFuture<'a> {
        Box::pin(async move {
            tracing::info!(id = msg.id, template = %msg.template, "SMS kept in the development outbox");
            Ok(Receipt {
                provider: self.provider().to_string(),
                message_id: format!("dev-{}", msg.id),
            })
        })
    }
}
