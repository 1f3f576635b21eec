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
    /// Trusted proxies in front (1: one nginx); see `session::forwarded_client`.
    pub trusted_proxy_hops: usize,
    /// Frequency caps, credit weights and the reasonable-frequency threshold
    /// of the double-random draws (DRAW-5, DRAW-7, DRAW-10).
    pub draw: yici_domain::draw::policy::DrawPolicy,
    /// How results feed the credit grade (RES-3): points and thresholds.
    pub credit: yici_domain::credit::ScoringRule,
    /// SMS gateway and outbox worker (JOINT-2); the development outbox by default.
    pub sms: crate::sms_worker::SmsSettings,
    /// HMAC-SHA256 key of the check-in codes (APP-2). Configure it
    /// (`[field] check_in_key`) when several instances serve one database or
    /// codes must survive a restart; by default each start draws a random one.
    pub check_in_key: Vec<u8>,
    /// Public address the check-in and sign-up QR codes point to, e.g.
    /// `https://yici.example.gov.cn`; by default taken from the request's Host.
    pub public_url: Option<String>,
    /// Folder of the evidence photos (RESULT-2), named by their SHA-256;
    /// `[field] evidence_dir`, by default `evidence` beside the SQLite file.
    pub evidence_dir: std::path::PathBuf,
    /// Largest evidence upload accepted, in bytes (`[field] evidence_max_bytes`).
    pub evidence_max_bytes: usize,
    /// What a registry import may unpack and parse: rows, cells, unpacked
    /// bytes of an XLSX and of its shared strings (`[import]`, SEC-4).
    pub import_limits: yici_interchange::Limits,
    /// 一公开 (RES-2): the calendar of working days that decides when a
    /// result is published at the latest (`[publication]`).
    pub publication: yici_domain::publication::Calendar,
    /// 监督预警 (STAT-2): the rules in force (`[warnings]`).
    pub warnings: yici_domain::warnings::Rules,
    /// Login lockout and session lifetimes (`[security]`).
    pub auth: AuthPolicy,
    /// AUDIT-2: the key sealing the audit chain and how often (`[audit]`);
    /// `None`: no sealing (tests, unless they set it).
    pub audit_seal: Option<AuditSealing>,
    /// Requests per minute of anonymous clients and of searches (`[rate_limits]`).
    pub rate_limits: crate::rate_limit::RateLimits,
    /// Anonymous enterprise sign-up requests per hour (`[sign_up]`, SEC-5).
    pub sign_up: yici_domain::field::sign_up::SignUpLimits,
}

/// How the audit chain's head is sealed (AUDIT-2).
#[derive(Debug, Clone)]
pub struct AuditSealing {
    pub key: yici_domain::audit::seal::SealKey,
    pub every: std::time::Duration,
}

/// A random check-in key for a start without a configured one.
pub fn random_check_in_key() -> Vec<u8> {
    use rand::RngCore;
    let mut key = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    key
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            initial_password: yici_domain::org::password::DEFAULT_INITIAL_PASSWORD.to_string(),
            secure_cookies: false,
            trust_proxy: false,
            trusted_proxy_hops: 1,
            draw: Default::default(),
            credit: Default::default(),
            sms: Default::default(),
            check_in_key: random_check_in_key(),
            public_url: None,
            evidence_dir: std::path::PathBuf::from("evidence"),
            evidence_max_bytes: yici_domain::field::results::DEFAULT_MAX_EVIDENCE_BYTES,
            import_limits: yici_interchange::Limits::default(),
            publication: Default::default(),
            warnings: Default::default(),
            auth: AuthPolicy::default(),
            audit_seal: None,
            rate_limits: Default::default(),
            sign_up: Default::default(),
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
    /// 编号盖章 requests of this server, numbered in shared transactions.
    pub numbering: yici_store::documents::office::NumberingQueue,
    /// This instance's rate-limit buckets (see `rate_limit`).
    pub rate_buckets: Arc<crate::rate_limit::Buckets>,
}

impl AppState {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: WebConfig) -> AppState {
        // Results and rectifications reassess credit deep in their
        // transactions: the rule is the process's (see `yici_store::credit`).
        yici_store::credit::configure(config.credit);
        yici_store::warnings::configure(config.warnings.clone());
        AppState {
            db,
            clock,
            policy: config.auth.clone(),
            config: Arc::new(config),
            numbering: Default::default(),
            rate_buckets: Default::default(),
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The business date today, in Asia/Shanghai, by the injected clock.
    pub fn today(&self) -> chrono::NaiveDate {
        yici_domain::time::business_date(self.now())
    }

    /// The business year now: the year of today in Asia/Shanghai, by the
    /// injected clock. Plans, draws and document numbers default to it.
    pub fn this_year(&self) -> i32 {
        chrono::Datelike::year(&yici_domain::time::business_date(self.now()))
    }

    /// One workflow step on a document; 编号盖章 goes through the numbering
    /// queue, so that concurrent numberings share one transaction.
    pub async fn document_step(
        &self,
        principal: &yici_domain::org::Principal,
        id: i64,
        step: &yici_store::documents::workflow::Step,
    ) -> Result<yici_store::documents::Document, yici_store::StoreError> {
        use yici_domain::documents::workflow::Action;
        if step.action == Action::Number {
            let request = yici_store::documents::office::NumberRequest {
                now: self.now(),
                principal: principal.clone(),
                id,
            };
            return self.numbering.number(&self.db, request).await;
        }
        yici_store::documents::workflow::act(&self.db, self.now(), principal, id, step).await
    }

    /// A fresh Argon2id hash of the configured initial password.
    pub async fn initial_password_hash(&self) -> Result<String, yici_store::StoreError> {
        yici_store::auth::hash_password(self.config.initial_password.clone()).await
    }
}
