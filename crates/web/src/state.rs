use std::sync::Arc;

use yici_domain::time::Clock;
use yici_store::auth::AuthPolicy;
use yici_store::Db;

/// Settings of the HTTP side.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Initial password of new accounts (ORG-4).
    pub initial_password: String,
    /// Always mark the session cookie `Secure` (set when TLS ends in front of us
    /// without an `X-Forwarded-Proto` header).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy.
    pub trust_proxy: bool,
    /// Frequency caps, credit weights and the reasonable-frequency threshold
    /// of the double-random draws (DRAW-5, DRAW-7, DRAW-10).
    pub draw: yici_domain::draw::policy::DrawPolicy,
    /// SMS gateway and outbox worker (JOINT-2); the development outbox by default.
    pub sms: crate::sms_worker::SmsSettings,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            initial_password: yici_domain::org::password::DEFAULT_INITIAL_PASSWORD.to_string(),
            secure_cookies: false,
            trust_proxy: false,
            draw: Default::default(),
            sms: Default::default(),
        }
    }
}

/// Everything a request needs. Nothing here is state another instance would
/// need: sessions, counters and jobs live in the database.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub policy: AuthPolicy,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: WebConfig) -> AppState {
        AppState {
            db,
            clock,
            policy: AuthPolicy::default(),
            config: Arc::new(config),
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// A fresh Argon2id hash of the configured initial password.
    pub async fn initial_password_hash(&self) -> Result<String, yici_store::StoreError> {
        yici_store::auth::hash_password(self.config.initial_password.clone()).await
    }
}
