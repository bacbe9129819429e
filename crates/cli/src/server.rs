//! `menshen serve` and `menshen token`.

use std::{path::PathBuf, process::ExitCode};

use menshen_server::ServerConfig;
use menshen_state::{
    store::{SqliteStore, Store},
    token::Role,
};

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// A TOML configuration file (every setting has a default; see the README).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where to listen, e.g. 127.0.0.1:8080 (overrides the file and MENSHEN_LISTEN).
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// The store's folder (overrides the file and MENSHEN_DATA).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
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
        /// The store's folder.
        #[arg(long, default_value = "menshen-data")]
        data: PathBuf,
    },
    /// Revoke every token with this name; a running server stops accepting them (and ends
    /// their console sessions) within `token_cache_seconds`.
    Revoke {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "menshen-data")]
        data: PathBuf,
    },
    /// List tokens: name, role, created, whether revoked (secrets are never stored).
    List {
        #[arg(long, default_value = "menshen-data")]
        data: PathBuf,
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
        TokenCommand::Create { role, name, data } => {
            let Some(role) = Role::parse(&role) else {
                anyhow::bail!("`{role}` is not a role; use service, reviewer or admin");
            };
            let name = name.unwrap_or_else(|| role.as_str().to_owned());
            let mut store = SqliteStore::open(&data)?;
            let secret = store.create_token(&name, role, now)?;
            out!("{secret}");
        }
        TokenCommand::Revoke { name, data } => {
            let mut store = SqliteStore::open(&data)?;
            match store.revoke_tokens(&name, now)? {
                0 => anyhow::bail!(
                    "no live token is named `{name}`; `menshen token list` shows the names"
                ),
                count => out!("revoked {count} token(s) named {name}"),
            }
        }
        TokenCommand::List { data } => {
            let store = SqliteStore::open(&data)?;
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
