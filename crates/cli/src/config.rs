//! Configuration: defaults, then a TOML file, then `YICI_…` environment
//! variables (e.g. `YICI_DATABASE_URL`, `YICI_BIND`, `YICI_INITIAL_PASSWORD`).

use anyhow::Result;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Default: an embedded SQLite file in the working directory.
    pub database_url: String,
    pub bind: String,
    /// Initial password of new accounts (ORG-4).
    pub initial_password: String,
    /// Always mark the session cookie Secure.
    pub secure_cookies: bool,
    /// Trust X-Forwarded-For / X-Forwarded-Proto from a reverse proxy.
    pub trust_proxy: bool,
    /// How many trusted proxies stand in front (each appends one
    /// X-Forwarded-For entry): the client is that many entries from the right.
    pub trusted_proxy_hops: usize,
    /// Double-random draws: caps, credit weights, reasonable frequency.
    #[serde(default)]
    pub draw: DrawSettings,
    /// Credit fed by results (RES-3): start scores, points, grade thresholds.
    #[serde(default)]
    pub credit: yici_domain::credit::ScoringRule,
    /// SMS gateway and outbox worker (JOINT-2).
    #[serde(default)]
    pub sms: SmsConfig,
    /// The field app and the enterprise app (APP-2, APP-7).
    #[serde(default)]
    pub field: FieldSettings,
    /// Bounds of a registry import (SEC-4).
    #[serde(default)]
    pub import: ImportSettings,
    /// 一公开 (RES-2): working days to publication, holidays, 调休 workdays.
    #[serde(default)]
    pub publication: yici_domain::publication::Calendar,
    /// 监督预警 (STAT-2): each rule on or off, repeat_days, urgent_grace_days.
    #[serde(default)]
    pub warnings: yici_domain::warnings::Rules,
    /// SQLite only: "normal" (default) or "full" (every commit synced to
    /// disk; survives a power loss). See `yici_store::Durability`.
    pub sqlite_synchronous: String,
    /// Login lockout and session lifetimes (SEC-2, ORG-4).
    #[serde(default)]
    pub security: SecuritySettings,
    /// The audit chain's seals (AUDIT-2).
    #[serde(default)]
    pub audit: AuditSettings,
    /// Requests per minute of anonymous clients and of searches (SEC-4).
    #[serde(default)]
    pub rate_limits: RateLimitSettings,
    /// Anonymous enterprise sign-up (SEC-5): requests per hour per client
    /// address and per USCC.
    #[serde(default)]
    pub sign_up: yici_domain::field::sign_up::SignUpLimits,
}

/// `[rate_limits]` in yici.toml (or `YICI_RATE_LIMITS__SEARCH_PER_MINUTE=…`):
/// requests per minute, per client address for anonymous requests, per
/// account and per address for searches and exports; 0 turns one off.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimitSettings {
    pub anonymous_per_minute: u32,
    pub search_per_minute: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        let d = yici_web::rate_limit::RateLimits::default();
        RateLimitSettings {
            anonymous_per_minute: d.anonymous_per_minute,
            search_per_minute: d.search_per_minute,
        }
    }
}

impl RateLimitSettings {
    pub fn limits(&self) -> yici_web::rate_limit::RateLimits {
        yici_web::rate_limit::RateLimits {
            anonymous_per_minute: self.anonymous_per_minute,
            search_per_minute: self.search_per_minute,
        }
    }
}

/// `[security]` in yici.toml (or `YICI_SECURITY__IDLE_MINUTES=…`): the
/// login lockout and the session lifetimes. Defaults: 5 failures of one
/// login name within 15 minutes lock it for 30; 30 failures from one
/// address within the window refuse that address; sessions end after 30
/// minutes idle or 12 hours in all; a new password may not repeat the last 5.
///
/// `require_second_factor_for_admins`: a system administrator without a
/// confirmed TOTP second factor may, after logging in, do nothing but enrol
/// one (the API answers `second_factor_enrolment_required`). Off by default,
/// so a new installation's `admin` can log in before anyone has an
/// authenticator app; switch it on once the administrators have enrolled.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SecuritySettings {
    pub require_second_factor_for_admins: bool,
    pub max_failures: i64,
    pub failure_window_minutes: i64,
    pub lock_minutes: i64,
    pub max_failures_per_address: i64,
    pub idle_minutes: i64,
    pub absolute_hours: i64,
    pub password_history: i64,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        let p = yici_store::auth::AuthPolicy::default();
        SecuritySettings {
            require_second_factor_for_admins: p.require_second_factor_for_admins,
            max_failures: p.max_failures,
            failure_window_minutes: p.failure_window.num_minutes(),
            lock_minutes: p.lock_for.num_minutes(),
            max_failures_per_address: p.max_failures_per_ip,
            idle_minutes: p.idle_timeout.num_minutes(),
            absolute_hours: p.absolute_timeout.num_hours(),
            password_history: p.history,
        }
    }
}

impl SecuritySettings {
    pub fn policy(&self) -> Result<yici_store::auth::AuthPolicy> {
        use chrono::Duration;
        let positive = [
            ("max_failures", self.max_failures),
            ("failure_window_minutes", self.failure_window_minutes),
            ("lock_minutes", self.lock_minutes),
            ("max_failures_per_address", self.max_failures_per_address),
            ("idle_minutes", self.idle_minutes),
            ("absolute_hours", self.absolute_hours),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, v)| *v < 1) {
            anyhow::bail!("security.{name}: must be at least 1");
        }
        if self.password_history < 0 {
            anyhow::bail!("security.password_history: must not be negative");
        }
        if self.idle_minutes > self.absolute_hours * 60 {
            anyhow::bail!("security.idle_minutes: longer than absolute_hours makes no sense");
        }
        Ok(yici_store::auth::AuthPolicy {
            max_failures: self.max_failures,
            failure_window: Duration::minutes(self.failure_window_minutes),
            lock_for: Duration::minutes(self.lock_minutes),
            max_failures_per_ip: self.max_failures_per_address,
            idle_timeout: Duration::minutes(self.idle_minutes),
            absolute_timeout: Duration::hours(self.absolute_hours),
            history: self.password_history,
            require_second_factor_for_admins: self.require_second_factor_for_admins,
            // Not configurable: the time to open an authenticator app.
            ..yici_store::auth::AuthPolicy::default()
        })
    }
}

/// `[audit]` in yici.toml (or `YICI_AUDIT__SEAL_KEY_FILE=…`): the key that
/// seals the audit chain's head, kept outside the database (AUDIT-2).
///
/// `seal_key`: the key itself (at least 32 characters; for an environment
/// variable from a secret store). Else `seal_key_file`: a file holding it
/// (64 hex digits), created with a random key if missing. Neither: the file
/// `audit-seal.key` beside the SQLite file (or in the working directory).
/// Several instances must be given the same key.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditSettings {
    pub seal_key: String,
    pub seal_key_file: String,
    /// Minutes between seals (only when the chain moved).
    pub seal_minutes: u64,
}

impl Default for AuditSettings {
    fn default() -> Self {
        AuditSettings {
            seal_key: String::new(),
            seal_key_file: String::new(),
            seal_minutes: 10,
        }
    }
}

/// The key stays out of logs and error messages.
impl std::fmt::Debug for AuditSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditSettings")
            .field("seal_key", &"***")
            .field("seal_key_file", &self.seal_key_file)
            .field("seal_minutes", &self.seal_minutes)
            .finish()
    }
}

impl AuditSettings {
    /// The key file's path: as configured, else beside the SQLite file.
    pub fn key_file(&self, database_url: &str) -> std::path::PathBuf {
        if !self.seal_key_file.trim().is_empty() {
            return std::path::PathBuf::from(self.seal_key_file.trim());
        }
        beside_database(database_url, "audit-seal.key")
    }

    /// The sealing key and where it came from; `None` when the key file is
    /// missing (`yici audit verify` then checks the seals without their MACs).
    pub fn key(
        &self,
        database_url: &str,
    ) -> Result<Option<(yici_domain::audit::seal::SealKey, String)>> {
        use yici_domain::audit::seal::SealKey;
        let err = |e: String| anyhow::anyhow!(e);
        if !self.seal_key.is_empty() {
            let key = SealKey::new(self.seal_key.as_bytes().to_vec()).map_err(err)?;
            return Ok(Some((key, "[audit] seal_key".into())));
        }
        let path = self.key_file(database_url);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(anyhow::anyhow!("reading {}: {e}", path.display())),
        };
        let text = text.trim();
        // 64 hex digits as written here; any other text of 32+ bytes as given.
        let bytes = hex::decode(text).unwrap_or_else(|_| text.as_bytes().to_vec());
        let key = SealKey::new(bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(Some((key, path.display().to_string())))
    }

    /// As [`AuditSettings::key`], making the key file with a fresh random
    /// key when it is missing (the server, `yici audit seal`).
    pub fn key_or_create(
        &self,
        database_url: &str,
    ) -> Result<(yici_domain::audit::seal::SealKey, String)> {
        if let Some(found) = self.key(database_url)? {
            return Ok(found);
        }
        let path = self.key_file(database_url);
        write_new_key(&path)?;
        self.key(database_url)?
            .ok_or_else(|| anyhow::anyhow!("{}: written but not found", path.display()))
    }

    pub fn every(&self) -> Result<std::time::Duration> {
        if self.seal_minutes == 0 {
            anyhow::bail!("audit.seal_minutes: must be at least 1");
        }
        Ok(std::time::Duration::from_secs(self.seal_minutes * 60))
    }
}

/// A new key file readable by its owner only.
fn write_new_key(path: &std::path::Path) -> Result<()> {
    use rand::RngCore;
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", path.display()))?;
    writeln!(file, "{}", hex::encode(key))?;
    file.sync_all()?;
    Ok(())
}

/// `name` in the SQLite file's folder, or in the working directory.
fn beside_database(database_url: &str, name: &str) -> std::path::PathBuf {
    use std::path::Path;
    let file = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|f| f.split('?').next().unwrap_or(f));
    match file.and_then(|f| Path::new(f).parent()) {
        Some(parent) if !parent.as_os_str().is_empty() => parent.join(name),
        _ => std::path::PathBuf::from(name),
    }
}

/// `[import]` in yici.toml (or `YICI_IMPORT__MAX_UNPACKED_MB=…`): what one
/// registry import may unpack and parse. Sizes in MB (of 1,048,576 bytes).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportSettings {
    pub max_rows: usize,
    pub max_cells: usize,
    /// Total uncompressed size of an XLSX's parts.
    pub max_unpacked_mb: u64,
    /// Uncompressed size of an XLSX's shared strings (held in memory whole).
    pub max_shared_strings_mb: u64,
}

impl Default for ImportSettings {
    fn default() -> Self {
        let l = yici_interchange::Limits::default();
        ImportSettings {
            max_rows: l.max_rows,
            max_cells: l.max_cells,
            max_unpacked_mb: l.max_unpacked_bytes / MB,
            max_shared_strings_mb: l.max_shared_strings_bytes / MB,
        }
    }
}

const MB: u64 = 1024 * 1024;

impl ImportSettings {
    pub fn limits(&self) -> Result<yici_interchange::Limits> {
        if self.max_rows == 0
            || self.max_cells == 0
            || self.max_unpacked_mb == 0
            || self.max_shared_strings_mb == 0
        {
            anyhow::bail!("import: every limit must be at least 1");
        }
        Ok(yici_interchange::Limits {
            max_rows: self.max_rows,
            max_cells: self.max_cells,
            max_unpacked_bytes: self.max_unpacked_mb.saturating_mul(MB),
            max_shared_strings_bytes: self.max_shared_strings_mb.saturating_mul(MB),
        })
    }
}

/// `[field]` in yici.toml (or `YICI_FIELD__CHECK_IN_KEY=…`,
/// `YICI_FIELD__PUBLIC_URL=https://…`).
///
/// `check_in_key` signs the 检查二维码 (HMAC-SHA256; at least 32 characters).
/// Empty (the default, fine for the demo): a random key at each start, so
/// codes shown before a restart read 无效 and instances behind one load
/// balancer do not accept each other's codes — configure it in production.
/// `public_url`: the address the QR codes lead to; empty: the request's Host.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct FieldSettings {
    pub check_in_key: String,
    pub public_url: String,
    /// Folder of the evidence photos (RESULT-2); empty: `evidence` beside
    /// the SQLite file (or in the working directory for PostgreSQL).
    pub evidence_dir: String,
    /// Largest evidence upload, in bytes (default 10 MB).
    pub evidence_max_bytes: usize,
}

impl Default for FieldSettings {
    fn default() -> Self {
        FieldSettings {
            check_in_key: String::new(),
            public_url: String::new(),
            evidence_dir: String::new(),
            evidence_max_bytes: yici_domain::field::results::DEFAULT_MAX_EVIDENCE_BYTES,
        }
    }
}

impl FieldSettings {
    /// The evidence folder: as configured, else `evidence` beside the
    /// SQLite file, else `./evidence`.
    pub fn evidence_dir(&self, database_url: &str) -> std::path::PathBuf {
        use std::path::PathBuf;
        if !self.evidence_dir.trim().is_empty() {
            return PathBuf::from(self.evidence_dir.trim());
        }
        beside_database(database_url, "evidence")
    }

    pub fn check_in_key(&self) -> Result<Vec<u8>> {
        if self.check_in_key.is_empty() {
            return Ok(yici_web::state::random_check_in_key());
        }
        if self.check_in_key.len() < 32 {
            anyhow::bail!("field.check_in_key: at least 32 characters");
        }
        Ok(self.check_in_key.as_bytes().to_vec())
    }

    pub fn public_url(&self) -> Option<String> {
        let url = self.public_url.trim().trim_end_matches('/');
        (!url.is_empty()).then(|| url.to_string())
    }
}

/// `[draw]` in yici.toml (or `YICI_DRAW__PER_UNIT=…`). Defaults: the plan's
/// caps (2 per unit, 1 per department, 6 for all levels), weights A 0.5 …
/// E 3, a warning from the third uncapped check by one unit in a year.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DrawSettings {
    pub per_unit: u32,
    pub per_department: u32,
    pub all_levels: u32,
    pub reasonable_per_unit: u32,
    pub weights: yici_domain::draw::policy::CreditWeights,
}

impl Default for DrawSettings {
    fn default() -> Self {
        let p = yici_domain::draw::policy::DrawPolicy::default();
        DrawSettings {
            per_unit: p.caps.per_unit,
            per_department: p.caps.per_department,
            all_levels: p.caps.all_levels,
            reasonable_per_unit: p.reasonable_per_unit,
            weights: p.weights,
        }
    }
}

impl DrawSettings {
    pub fn policy(&self) -> Result<yici_domain::draw::policy::DrawPolicy> {
        if !self.weights.is_valid() {
            anyhow::bail!("draw.weights: every weight must be a positive number, minimum_weight_share within 0..=1");
        }
        if self.per_department == 0
            || self.per_unit < self.per_department
            || self.all_levels < self.per_unit
        {
            anyhow::bail!("draw caps: expected 0 < per_department <= per_unit <= all_levels");
        }
        Ok(yici_domain::draw::policy::DrawPolicy {
            caps: yici_domain::draw::caps::Caps {
                per_unit: self.per_unit,
                per_department: self.per_department,
                all_levels: self.all_levels,
            },
            weights: self.weights,
            reasonable_per_unit: self.reasonable_per_unit,
        })
    }
}

/// `[sms]` in yici.toml (or `YICI_SMS__PROVIDER=aliyun`,
/// `YICI_SMS__ACCESS_KEY_SECRET=…`, `YICI_SMS__TEMPLATES__TASK_DRAWN=SMS_…`).
///
/// `provider = "outbox"` (the default) sends nothing and lists messages on
/// the 短信发件箱 page; `provider = "aliyun"` sends through Alibaba Cloud SMS
/// and needs the keys, the approved sign name and a template code for each
/// template key the platform uses (`task_drawn`, `task_invited`,
/// `sign_up_code` — a 验证码 template with the parameter `code`).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SmsConfig {
    pub provider: String,
    pub endpoint: String,
    pub access_key_id: String,
    pub access_key_secret: String,
    pub sign_name: String,
    pub region: String,
    pub templates: std::collections::BTreeMap<String, String>,
    /// Seconds one provider request may take.
    pub timeout_seconds: u64,
    /// Seconds between outbox rounds when there was nothing more to send.
    pub poll_seconds: u64,
    /// Seconds a worker holds the messages it claimed (well above the timeout).
    pub lease_seconds: u64,
    /// Attempts before a message is given up (failures back off 30 s, 1 min, 2 min … 1 h).
    pub max_attempts: u32,
    /// Run the sending worker in this instance.
    pub worker: bool,
}

impl Default for SmsConfig {
    fn default() -> Self {
        let s = yici_web::sms_worker::SmsSettings::default();
        SmsConfig {
            provider: "outbox".into(),
            endpoint: yici_sms::aliyun::DEFAULT_ENDPOINT.into(),
            access_key_id: String::new(),
            access_key_secret: String::new(),
            sign_name: String::new(),
            region: yici_sms::aliyun::DEFAULT_REGION.into(),
            templates: Default::default(),
            timeout_seconds: yici_sms::aliyun::DEFAULT_TIMEOUT.as_secs(),
            poll_seconds: s.poll_interval.as_secs(),
            lease_seconds: s.lease.num_seconds().max(0) as u64,
            max_attempts: s.backoff.max_attempts as u32,
            worker: true,
        }
    }
}

/// The secret stays out of logs and error messages.
impl std::fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsConfig")
            .field("provider", &self.provider)
            .field("endpoint", &self.endpoint)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .field("sign_name", &self.sign_name)
            .field("region", &self.region)
            .field("templates", &self.templates)
            .field("poll_seconds", &self.poll_seconds)
            .field("lease_seconds", &self.lease_seconds)
            .field("max_attempts", &self.max_attempts)
            .field("worker", &self.worker)
            .finish()
    }
}

impl SmsConfig {
    pub fn settings(&self) -> Result<yici_web::sms_worker::SmsSettings> {
        use std::sync::Arc;
        let gateway: Arc<dyn yici_sms::SmsGateway> = match self.provider.trim() {
            "outbox" | "" => Arc::new(yici_sms::DevOutbox),
            "aliyun" => Arc::new(
                yici_sms::AliyunSms::new(yici_sms::AliyunConfig {
                    endpoint: self.endpoint.clone(),
                    access_key_id: self.access_key_id.clone(),
                    access_key_secret: self.access_key_secret.clone(),
                    sign_name: self.sign_name.clone(),
                    region: self.region.clone(),
                    templates: self.templates.clone(),
                    timeout: std::time::Duration::from_secs(self.timeout_seconds.max(1)),
                })
                .map_err(|e| anyhow::anyhow!("sms: {e}"))?,
            ),
            other => {
                anyhow::bail!("sms.provider: expected \"outbox\" or \"aliyun\", got {other:?}")
            }
        };
        if self.poll_seconds == 0 || self.max_attempts == 0 {
            anyhow::bail!("sms: poll_seconds and max_attempts must be at least 1");
        }
        if self.lease_seconds < 2 * self.timeout_seconds.max(1) {
            anyhow::bail!("sms.lease_seconds must be at least twice timeout_seconds: a message whose lease runs out during a send may be sent again");
        }
        let defaults = yici_web::sms_worker::SmsSettings::default();
        Ok(yici_web::sms_worker::SmsSettings {
            gateway,
            run_worker: self.worker,
            poll_interval: std::time::Duration::from_secs(self.poll_seconds),
            lease: chrono::Duration::seconds(self.lease_seconds as i64),
            backoff: yici_store::outbox::Backoff {
                max_attempts: i64::from(self.max_attempts),
                ..defaults.backoff
            },
            ..defaults
        })
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite:yici.db".into(),
            bind: "127.0.0.1:8080".into(),
            initial_password: yici_domain::org::password::DEFAULT_INITIAL_PASSWORD.into(),
            secure_cookies: false,
            trust_proxy: false,
            trusted_proxy_hops: 1,
            draw: DrawSettings::default(),
            credit: Default::default(),
            sms: SmsConfig::default(),
            field: FieldSettings::default(),
            import: ImportSettings::default(),
            publication: Default::default(),
            warnings: Default::default(),
            sqlite_synchronous: "normal".into(),
            security: SecuritySettings::default(),
            audit: AuditSettings::default(),
            rate_limits: RateLimitSettings::default(),
            sign_up: Default::default(),
        }
    }
}

impl Config {
    /// `[credit]`, checked: thresholds in order, points and scores on the scale.
    pub fn credit_rule(&self) -> Result<yici_domain::credit::ScoringRule> {
        self.credit.check().map_err(|e| anyhow::anyhow!(e))?;
        Ok(self.credit)
    }

    pub fn load(file: &str) -> Result<Config> {
        let cfg: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("YICI_").split("__"))
            .extract()?;
        yici_domain::org::password::check_strength(&cfg.initial_password, "initial_password")
            .map_err(|e| anyhow::anyhow!("initial_password: {}", e.message))?;
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_limits_default_to_the_interchange_defaults() {
        let c = ImportSettings::default();
        assert_eq!(c.limits().unwrap(), yici_interchange::Limits::default());
        assert_eq!(c.max_unpacked_mb, 768);
        let zero = ImportSettings { max_cells: 0, ..c };
        assert!(zero.limits().is_err());
    }

    #[test]
    fn the_session_policy_is_configured_and_nonsense_refused() {
        let d = SecuritySettings::default().policy().unwrap();
        assert_eq!(d.max_failures, 5);
        assert_eq!(d.idle_timeout, chrono::Duration::minutes(30));
        let s = SecuritySettings {
            idle_minutes: 10,
            absolute_hours: 8,
            lock_minutes: 60,
            ..SecuritySettings::default()
        };
        let p = s.policy().unwrap();
        assert_eq!(p.idle_timeout, chrono::Duration::minutes(10));
        assert_eq!(p.absolute_timeout, chrono::Duration::hours(8));
        assert_eq!(p.lock_for, chrono::Duration::minutes(60));
        let e = SecuritySettings {
            max_failures: 0,
            ..s.clone()
        }
        .policy()
        .unwrap_err();
        assert!(e.to_string().contains("security.max_failures"), "{e}");
        let e = SecuritySettings {
            idle_minutes: 600,
            ..s
        }
        .policy()
        .unwrap_err();
        assert!(e.to_string().contains("idle_minutes"), "{e}");
    }

    #[test]
    fn the_seal_key_is_made_once_beside_the_database_and_read_back() {
        let dir = std::env::temp_dir().join(format!("yici-seal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let url = format!("sqlite:{}", dir.join("yici.db").display());
        let a = AuditSettings::default();
        assert_eq!(a.key_file(&url), dir.join("audit-seal.key"));
        assert!(a.key(&url).unwrap().is_none(), "verify never creates it");
        let (made, _) = a.key_or_create(&url).unwrap();
        let (read, from) = a.key(&url).unwrap().unwrap();
        assert_eq!(made.id(), read.id());
        assert!(from.ends_with("audit-seal.key"));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("audit-seal.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // A key given directly wins; a short one is refused.
        let given = AuditSettings {
            seal_key: "k".repeat(32),
            ..AuditSettings::default()
        };
        assert_ne!(given.key(&url).unwrap().unwrap().0.id(), made.id());
        let short = AuditSettings {
            seal_key: "short".into(),
            ..AuditSettings::default()
        };
        assert!(short.key(&url).is_err());
        assert!(format!("{given:?}").contains("***") && !format!("{given:?}").contains("kkkk"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_development_outbox_is_the_default() {
        let s = SmsConfig::default().settings().unwrap();
        assert_eq!(s.gateway.provider(), "outbox");
        assert!(s.run_worker);
    }

    #[test]
    fn aliyun_needs_its_keys_and_templates() {
        let mut c = SmsConfig {
            provider: "aliyun".into(),
            ..SmsConfig::default()
        };
        let e = c.settings().unwrap_err().to_string();
        assert!(e.contains("access_key_id"), "{e}");
        c.access_key_id = "id".into();
        c.access_key_secret = "secret".into();
        c.sign_name = "玉田县生态环境分局".into();
        assert!(c.settings().is_err(), "no template table");
        c.templates.insert("task_drawn".into(), "SMS_1".into());
        assert_eq!(c.settings().unwrap().gateway.provider(), "aliyun");
        assert!(!format!("{c:?}").contains("secret\""));
        c.provider = "smtp".into();
        assert!(c.settings().is_err());
    }

    #[test]
    fn evidence_goes_beside_the_sqlite_file_unless_configured() {
        let f = FieldSettings::default();
        assert_eq!(
            f.evidence_dir("sqlite:/var/lib/yici/yici.db?mode=rwc"),
            std::path::PathBuf::from("/var/lib/yici/evidence")
        );
        assert_eq!(
            f.evidence_dir("sqlite:yici.db"),
            std::path::PathBuf::from("evidence")
        );
        assert_eq!(
            f.evidence_dir("postgres://u@h/db"),
            std::path::PathBuf::from("evidence")
        );
        let set = FieldSettings {
            evidence_dir: "/srv/evidence".into(),
            ..FieldSettings::default()
        };
        assert_eq!(
            set.evidence_dir("sqlite:yici.db"),
            std::path::PathBuf::from("/srv/evidence")
        );
        assert_eq!(f.evidence_max_bytes, 10 * 1024 * 1024);
    }

    /// `YICI_SMS__…` reaches the nested table (figment splits on `__`).
    #[test]
    fn environment_variables_configure_sms() {
        let vars = [
            ("YICI_SMS__PROVIDER", "aliyun"),
            ("YICI_SMS__ACCESS_KEY_ID", "LTAI-env"),
            ("YICI_SMS__ACCESS_KEY_SECRET", "from-env"),
            ("YICI_SMS__SIGN_NAME", "玉田县生态环境分局"),
            ("YICI_SMS__TEMPLATES__TASK_DRAWN", "SMS_71390007"),
            ("YICI_SMS__POLL_SECONDS", "2"),
        ];
        for (k, v) in vars {
            std::env::set_var(k, v);
        }
        let cfg = Config::load("/nonexistent/yici.toml");
        for (k, _) in vars {
            std::env::remove_var(k);
        }
        let cfg = cfg.unwrap();
        assert_eq!(cfg.sms.provider, "aliyun");
        assert_eq!(cfg.sms.access_key_secret, "from-env");
        assert_eq!(cfg.sms.templates["task_drawn"], "SMS_71390007");
        assert_eq!(cfg.sms.poll_seconds, 2);
        assert_eq!(cfg.sms.settings().unwrap().gateway.provider(), "aliyun");
    }

    /// `[security]` is off unless the file (or the environment) says so.
    #[test]
    fn admins_need_a_second_factor_only_when_configured() {
        assert!(!Config::default().security.require_second_factor_for_admins);
        let dir = std::env::temp_dir().join(format!("yici-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("yici.toml");
        std::fs::write(
            &file,
            "[security]\nrequire_second_factor_for_admins = true\n",
        )
        .unwrap();
        let cfg = Config::load(file.to_str().unwrap()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(cfg.security.require_second_factor_for_admins);
    }
}
