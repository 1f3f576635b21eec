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
    /// Double-random draws: caps, credit weights, reasonable frequency.
    #[serde(default)]
    pub draw: DrawSettings,
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
            anyhow::bail!("draw.weights: every weight must be a positive number");
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

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite:yici.db".into(),
            bind: "127.0.0.1:8080".into(),
            initial_password: yici_domain::org::password::DEFAULT_INITIAL_PASSWORD.into(),
            secure_cookies: false,
            trust_proxy: false,
            draw: DrawSettings::default(),
        }
    }
}

impl Config {
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
