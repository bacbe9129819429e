//! `menshen serve` and `menshen token`.

use std::{path::PathBuf, process::ExitCode};

use menshen_server::ServerConfig;
use menshen_state::{store::Store, token::Role};

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// A TOML configuration file (every setting has a default; see the README).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where to listen, e.g. 127.0.0.1:8080 or localhost:8080 (overrides the file and
    /// MENSHEN_LISTEN).
    #[arg(long, value_parser = menshen_server::config::parse_listen)]
    listen: Option<std::net::SocketAddr>,
    /// The store's folder (overrides the file and MENSHEN_DATA).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
}

/// Where the store is, chosen the same way by every command that opens it: `--data`, else
/// `MENSHEN_DATA`, else `data_dir` in the `--config` file, else `./menshen-data`.
#[derive(clap::Args, Clone, Debug, Default)]
pub(crate) struct StoreArgs {
    /// The store's folder.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The server's configuration file, for its `data_dir`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl StoreArgs {
    /// The folder, and which of the four chose it (said on standard error, so that a store in
    /// an unexpected place is noticed at once).
    pub fn resolve(&self) -> anyhow::Result<PathBuf> {
        let (dir, how) = if let Some(dir) = &self.data {
            (dir.clone(), "--data".to_owned())
        } else if let Some(dir) = std::env::var_os("MENSHEN_DATA") {
            (PathBuf::from(dir), "MENSHEN_DATA".to_owned())
        } else if let Some(file) = &self.config {
            let config = ServerConfig::load(Some(file), |_| None)?;
            (config.data_dir, format!("data_dir in {}", file.display()))
        } else {
            (ServerConfig::default().data_dir, "the default".to_owned())
        };
        eprintln!("menshen: store in {} ({how})", dir.display());
        Ok(dir)
    }

    /// The PostgreSQL database, if one is configured: `MENSHEN_DATABASE_URL`, else
    /// `database_url` in the `--config` file.
    pub fn database_url(&self) -> anyhow::Result<Option<String>> {
        if let Some(url) = std::env::var("MENSHEN_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            return Ok(Some(url));
        }
        match &self.config {
            Some(file) => Ok(ServerConfig::load(Some(file), |_| None)?.database_url),
            None => Ok(None),
        }
    }

    /// Open the store, creating it if need be.
    pub fn open(&self) -> anyhow::Result<Box<dyn Store + Send>> {
        open_store(&self.resolve()?, self.database_url()?.as_deref(), false)
    }

    /// Open an existing store: a command that reads one must not create an empty one.
    pub fn open_existing(&self) -> anyhow::Result<Box<dyn Store + Send>> {
        open_store(&self.resolve()?, self.database_url()?.as_deref(), true)
    }
}

/// Open the store in `dir`, or in the PostgreSQL database `url` names (then `dir` holds only
/// its audit key). `existing`: refuse to create an empty embedded store where none is.
pub(crate) fn open_store(
    dir: &std::path::Path,
    url: Option<&str>,
    existing: bool,
) -> anyhow::Result<Box<dyn Store + Send>> {
    if existing && url.is_none() && !dir.join("menshen.db").exists() {
        anyhow::bail!(
            "no store in {}: start `menshen serve` there first, or point --data, MENSHEN_DATA or --config at the folder it uses (or MENSHEN_DATABASE_URL at its database)",
            dir.display()
        );
    }
    Ok(menshen_state::store::open(dir, url)?)
}

#[derive(clap::Subcommand)]
pub(crate) enum TokenCommand {
    /// Create a token and print its secret (shown once; only its hash is stored).
    Create {
        /// `service` (checks and events), `reviewer` (sanctions and appeals) or `admin`.
        #[arg(long)]
        role: String,
        /// A name for the token, shown in the audit log as the actor.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke every token with this name; a running server stops accepting them (and ends
    /// their console sessions) within `token_cache_seconds`.
    Revoke {
        #[arg(long)]
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List tokens: name, role, created, whether revoked (secrets are never stored).
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
}

pub(crate) fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = ServerConfig::load(args.config.as_deref(), |k| std::env::var(k).ok())?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(data) = args.data {
        config.data_dir = data;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(menshen_server::serve(config))?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn token(command: TokenCommand) -> anyhow::Result<ExitCode> {
    let now = jiff::Timestamp::now().as_second();
    match command {
        TokenCommand::Create { role, name, store } => {
            let Some(role) = Role::parse(&role) else {
                anyhow::bail!("`{role}` is not a role; use service, reviewer or admin");
            };
            let name = name.unwrap_or_else(|| role.as_str().to_owned());
            let mut store = store.open()?;
            let secret = store.create_token(&name, role, now)?;
            out!("{secret}");
        }
        TokenCommand::Revoke { name, store } => {
            let mut store = store.open_existing()?;
            match store.revoke_tokens(&name, now)? {
                0 => anyhow::bail!(
                    "no live token is named `{name}`; `menshen token list` shows the names"
                ),
                count => out!("revoked {count} token(s) named {name}"),
            }
        }
        TokenCommand::List { store } => {
            let store = store.open_existing()?;
            for token in store.tokens()? {
                out!(
                    "{}\t{}\t{}\t{}",
                    token.name,
                    token.role.as_str(),
                    menshen_state::audit::rfc3339(token.created_at),
                    if token.revoked { "revoked" } else { "live" }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
