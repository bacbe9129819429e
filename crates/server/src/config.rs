//! The server's configuration: a TOML file (optional) with environment overrides. Every field
//! has a documented default, so `menshen serve` runs with no file at all.

use std::{net::SocketAddr, path::PathBuf};

use menshen_state::{behaviour::BehaviourConfig, report::ReportConfig};
use serde::{Deserialize, Serialize};

/// `menshen serve` settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Where to listen: an address or `host:port` (`localhost:8080`). Default
    /// `127.0.0.1:8080`; env `MENSHEN_LISTEN`.
    #[serde(deserialize_with = "listen_address")]
    pub listen: SocketAddr,
    /// The embedded store's folder. Default `./menshen-data`; env `MENSHEN_DATA`. With a
    /// `database_url`, it holds only the audit key (`audit.key`), which every instance of one
    /// store must share.
    pub data_dir: PathBuf,
    /// A PostgreSQL database for the store instead of the embedded SQLite file
    /// (`postgres://user:password@host:5432/database`), shared by any number of instances.
    /// Default none; env `MENSHEN_DATABASE_URL`.
    pub database_url: Option<String>,
    /// A Redis server for the behaviour detectors' windows and cooldowns, shared by every
    /// instance (`redis://host:6379/`), so that a burst spread over instances is one burst.
    /// Nothing durable is kept there; while it does not answer, each instance detects from
    /// what it saw itself. Default none (windows in the process); env `MENSHEN_REDIS_URL`.
    pub redis_url: Option<String>,
    /// The prefix of every key menshen writes in Redis: instances of one deployment share it,
    /// other deployments on the same Redis choose their own. Default `menshen`.
    pub redis_namespace: String,
    /// The home platform. Default `wechat`.
    pub home: String,
    /// The language of texts people read (verdict reasons, refusals, notices, the console)
    /// when a request names none (`locale` field, `Accept-Language`): `zh-CN` (the default)
    /// or `en`. Env `MENSHEN_LOCALE`.
    pub locale: menshen_i18n::Locale,
    /// A profile to use whatever the time; by default each event's `ts` picks the profile in
    /// force then. Env `MENSHEN_PROFILE`.
    pub profile: Option<String>,
    /// Largest request body, in bytes. Default 4 MiB.
    pub max_body_bytes: usize,
    /// Most messages in one batch check. Default 10,000.
    pub max_batch: usize,
    /// Days after a sanction starts within which it can be appealed. Default 30.
    pub appeal_window_days: u32,
    /// Worker threads for the batch endpoint's analysis; 0 for one per core. Default 0.
    pub batch_threads: usize,
    /// Webhook receivers for sanctions, lifts and appeal outcomes.
    pub webhooks: Vec<WebhookConfig>,
    /// Behaviour detectors' thresholds and windows.
    pub behaviour: BehaviourConfig,
    /// How reports are weighed: what makes a reporter new, what makes a wave.
    pub reports: ReportConfig,
    /// How long a token checked against the store is trusted from memory, in seconds: a
    /// token revoked with `menshen token revoke` stops working (API and console sessions)
    /// within this. Default 60.
    pub token_cache_seconds: i64,
    /// A model from `menshen train`, used instead of the shipped default. Default none: the
    /// shipped model.
    pub model: Option<PathBuf>,
    /// The operator's profile files, loaded beside the shipped ones (they may `extends`
    /// them). Reloaded with the rest of the engine on `SIGHUP` or `POST /v1/policy/reload`.
    pub policies: Vec<PathBuf>,
    /// Word lists (`.txt`) and context rules (`.toml`) added to the shipped lexicons.
    pub lexicons: Vec<PathBuf>,
    /// A platform registry used instead of the shipped one.
    pub registry: Option<PathBuf>,
    /// Failed bearer tokens and console sign-ins allowed per client address per minute;
    /// past it the address gets 429 until the minute is over. Default 20; 0 turns it off.
    pub auth_failures_per_minute: u32,
    /// Connections served at once; more wait until one closes. Default 4,096.
    pub max_connections: usize,
    /// Seconds a client has to send a request's head (line and headers). Default 10.
    pub header_timeout_seconds: u64,
    /// Seconds a client has to send a request's body. Default 30.
    pub body_timeout_seconds: u64,
    /// Mark the console's session cookie `Secure` (only sent over HTTPS): set it when the
    /// console is served through TLS. Requests a proxy marks `X-Forwarded-Proto: https` get
    /// a `Secure` cookie either way. Default false.
    pub secure_cookies: bool,
    /// Reputation lists added to the shipped ones: a `# category: phishing` line (or adult,
    /// gambling, spam, shortener), then one host per line.
    pub reputation: Vec<PathBuf>,
    /// Sanction ladders used instead of the shipped `assets/ladders.toml`.
    pub ladders: Option<PathBuf>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("menshen-data"),
            database_url: None,
            redis_url: None,
            redis_namespace: "menshen".into(),
            home: "wechat".into(),
            locale: menshen_i18n::Locale::default(),
            profile: None,
            max_body_bytes: 4 << 20,
            max_batch: 10_000,
            appeal_window_days: 30,
            batch_threads: 0,
            webhooks: Vec::new(),
            behaviour: BehaviourConfig::default(),
            reports: ReportConfig::default(),
            model: None,
            token_cache_seconds: 60,
            policies: Vec::new(),
            lexicons: Vec::new(),
            registry: None,
            auth_failures_per_minute: 20,
            max_connections: 4_096,
            header_timeout_seconds: 10,
            body_timeout_seconds: 30,
            secure_cookies: false,
            reputation: Vec::new(),
            ladders: None,
        }
    }
}

/// One webhook receiver.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Where to POST notifications.
    pub url: String,
    /// The HMAC-SHA256 key for the `X-Menshen-Signature` header.
    pub secret: String,
}

impl ServerConfig {
    /// Where the engine's data comes from.
    pub fn sources(&self) -> crate::engine::EngineSources {
        crate::engine::EngineSources {
            policies: self.policies.clone(),
            lexicons: self.lexicons.clone(),
            registry: self.registry.clone(),
            reputation: self.reputation.clone(),
            ladders: self.ladders.clone(),
            model: self.model.clone(),
            no_model: false,
        }
    }

    /// Read a TOML file (if given), then apply `MENSHEN_*` environment overrides.
    pub fn load(
        file: Option<&std::path::Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            }
            None => ServerConfig::default(),
        };
        if let Some(listen) = env("MENSHEN_LISTEN") {
            config.listen =
                parse_listen(&listen).map_err(|e| anyhow::anyhow!("MENSHEN_LISTEN: {e}"))?;
        }
        if let Some(locale) = env("MENSHEN_LOCALE") {
            config.locale = locale
                .parse()
                .map_err(|e| anyhow::anyhow!("MENSHEN_LOCALE: {e}"))?;
        }
        if let Some(dir) = env("MENSHEN_DATA") {
            config.data_dir = dir.into();
        }
        if let Some(url) = env("MENSHEN_DATABASE_URL") {
            config.database_url = Some(url);
        }
        if let Some(url) = env("MENSHEN_REDIS_URL") {
            config.redis_url = Some(url);
        }
        if let Some(profile) = env("MENSHEN_PROFILE") {
            config.profile = Some(profile);
        }
        Ok(config)
    }
}

/// A listening address: `127.0.0.1:8080`, `[::1]:8080`, or a host name with a port
/// (`localhost:8080`), resolved once, IPv4 first, so that `localhost` means the loopback
/// address every client tries first.
pub fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    if let Ok(address) = text.parse() {
        return Ok(address);
    }
    let hint = "give an address and a port, like 127.0.0.1:8080 or localhost:8080";
    let resolved: Vec<SocketAddr> = std::net::ToSocketAddrs::to_socket_addrs(text)
        .map_err(|e| format!("`{text}` is not an address to listen on ({e}); {hint}"))?
        .collect();
    resolved
        .iter()
        .find(|a| a.is_ipv4())
        .or(resolved.first())
        .copied()
        .ok_or_else(|| format!("`{text}` resolves to no address; {hint}"))
}

fn listen_address<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let text = String::deserialize(d)?;
    parse_listen(&text).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_file() {
        let dir = std::env::temp_dir().join(format!("menshen-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("menshen.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\nmax_batch = 5\n[behaviour.red_packet]\nhuman_ms = 200\n",
        )
        .unwrap();
        let config = ServerConfig::load(Some(&file), |k| {
            (k == "MENSHEN_DATA").then(|| "/tmp/x".into())
        })
        .unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.max_batch, 5);
        assert_eq!(config.behaviour.red_packet.human_ms, 200);
        assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
        let bad = ServerConfig::load(None, |k| (k == "MENSHEN_LISTEN").then(|| "nowhere".into()));
        assert!(bad.unwrap_err().to_string().contains("MENSHEN_LISTEN"));
        let named = ServerConfig::load(None, |k| {
            (k == "MENSHEN_LISTEN").then(|| "localhost:8089".into())
        })
        .unwrap();
        assert_eq!(named.listen, SocketAddr::from(([127, 0, 0, 1], 8089)));
        assert!(parse_listen("localhost").is_err(), "a port is required");
        std::fs::write(&file, "lisen = \"x\"").unwrap();
        assert!(
            ServerConfig::load(Some(&file), |_| None)
                .unwrap_err()
                .to_string()
                .contains("lisen")
        );
    }
}
