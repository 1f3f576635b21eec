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
    /// Anonymous enterprise sign-up (SEC-5): requests per hour per client
    /// address and per USCC.
    #[serde(default)]
    pub sign_up: yici_domain::field::sign_up::SignUpLimits,
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
        use std::path::{Path, PathBuf};
        if !self.evidence_dir.trim().is_empty() {
            return PathBuf::from(self.evidence_dir.trim());
        }
        let file = database_url
            .strip_prefix("sqlite://")
            .or_else(|| database_url.strip_prefix("sqlite:"))
            .map(|f| f.split('?').next().unwrap_or(f));
        match file.and_then(|f| Path::new(f).parent()) {
            Some(parent) if !parent.as_os_str().is_empty() => parent.join("evidence"),
            _ => PathBuf::from("evidence"),
        }
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
}
