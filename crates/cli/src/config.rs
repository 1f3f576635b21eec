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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite:yici.db".into(),
            bind: "127.0.0.1:8080".into(),
            initial_password: yici_domain::org::password::DEFAULT_INITIAL_PASSWORD.into(),
            secure_cookies: false,
            trust_proxy: false,
        }
    }
}

impl Config {
    pub fn load(file: &str) -> Result<Config> {
        let cfg: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("YICI_"))
            .extract()?;
        yici_domain::org::password::check_strength(&cfg.initial_password, "initial_password")
            .map_err(|e| anyhow::anyhow!("initial_password: {}", e.message))?;
        Ok(cfg)
    }
}
