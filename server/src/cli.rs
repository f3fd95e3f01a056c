//! The `ediary` command line. Every flag can also come from an `EDIARY_*`
//! environment variable. Configuration errors print one line and exit 2.

use std::{
    io::{BufRead, IsTerminal},
    net::SocketAddr,
    path::PathBuf,
    process::ExitCode,
    time::Duration,
};

use app::domain::account::{Role, normalize_username};
use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;
use uuid::Uuid;

use crate::{
    audit::AuditContext,
    auth::Auth,
    config::{self, ConfigError, DatabaseUrl, SiteConfig},
    demo, password, serve,
    store::{self, NewUser, SeedOutcome, StoreError, audit_chain},
    telemetry,
};

#[derive(Debug, Parser)]
#[command(
    name = "ediary",
    version,
    about = "T1D eDiary: the diary server for type 1 diabetes trials"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and the HTTP API.
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate(DatabaseArgs),
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Seed the demo study (made-up site, staff, participants and guardian).
    Demo(DatabaseArgs),
    /// Write a consistent copy of a live SQLite database.
    Backup(BackupArgs),
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain of the audit log; exit 0 when it is whole, 1 naming
    /// the first broken row otherwise.
    Verify(DatabaseArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB
    /// [default: sqlite://<data dir>/ediary.db]
    #[arg(long, env = "EDIARY_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Directory for the embedded database and generated secrets.
    #[arg(long, env = "EDIARY_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

impl DatabaseArgs {
    /// Checks the URL and makes sure the directories it needs are writable.
    pub fn resolve(&self) -> Result<DatabaseUrl, ConfigError> {
        let url = match &self.database_url {
            Some(raw) => DatabaseUrl::parse(raw)?,
            None => DatabaseUrl::in_data_dir(&self.data_dir),
        };
        if !url.is_postgres() {
            config::prepare_dir(&self.data_dir)?;
        }
        config::prepare_database_dir(&url)?;
        Ok(url)
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "EDIARY_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Secret for signing access tokens, at least 32 bytes. Generated and kept
    /// in the data directory when the database is SQLite; required with PostgreSQL.
    #[arg(long, env = "EDIARY_JWT_SECRET", hide_env_values = true, value_parser = parse_secret)]
    pub jwt_secret: Option<SecretString>,
    /// Second factor for staff sign-ins: `on`, or `off` for development and demos only.
    #[arg(long, env = "EDIARY_STAFF_MFA", default_value = "on")]
    pub staff_mfa: String,
    /// The address people use to reach the app, for enrolment links
    /// [default: http://<addr>].
    #[arg(long, env = "EDIARY_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Reverse proxies (CIDRs or addresses, comma-separated) whose
    /// X-Forwarded-For and X-Forwarded-Proto are believed; nobody's by default.
    #[arg(long, env = "EDIARY_TRUSTED_PROXIES", value_parser = parse_proxies, default_value = "")]
    pub trusted_proxies: crate::http::forwarded::TrustedProxies,
    /// Sync requests a minute one account may make (a quarter of it at once).
    #[arg(long, env = "EDIARY_SYNC_REQUESTS_PER_MINUTE", default_value_t = crate::http::rate_limit::DEFAULT_SYNCS_PER_MINUTE)]
    pub sync_requests_per_minute: u32,
    /// Seed the demo study on first start and print its sign-ins.
    #[arg(long, env = "EDIARY_DEMO")]
    pub demo: bool,
    /// The built web app (cargo-leptos output).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Folder of the WASM, JS and CSS inside the site root.
    #[arg(long, env = "LEPTOS_SITE_PKG_DIR", default_value = "pkg")]
    pub site_pkg_dir: String,
    /// Base name of the WASM, JS and CSS files.
    #[arg(long, env = "LEPTOS_OUTPUT_NAME", default_value = "ediary")]
    pub output_name: String,
    /// Seconds requests in flight may take to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "EDIARY_SHUTDOWN_GRACE_SECS", default_value_t = 30)]
    pub shutdown_grace_secs: u64,
    /// SMTP server for alert emails, such as smtp://user:pass@mail.example:587?tls=required.
    #[arg(long, env = "EDIARY_SMTP_URL", hide_env_values = true, value_parser = parse_secret)]
    pub smtp_url: Option<SecretString>,
    /// Sender of alert emails.
    #[arg(
        long,
        env = "EDIARY_ALERT_FROM",
        default_value = "T1D eDiary <alerts@localhost>"
    )]
    pub alert_from: String,
    /// Key that signs alert webhooks (HMAC-SHA256), shared with the receivers.
    #[arg(long, env = "EDIARY_WEBHOOK_SECRET", hide_env_values = true, value_parser = parse_secret)]
    pub webhook_secret: Option<SecretString>,
    /// Let webhooks go to http and to loopback, link-local or private
    /// addresses (an on-premises receiver); refused by default (SSRF).
    #[arg(long, env = "EDIARY_WEBHOOK_ALLOW_PRIVATE", value_parser = clap::builder::BoolishValueParser::new())]
    pub webhook_allow_private: bool,
}

fn parse_proxies(raw: &str) -> Result<crate::http::forwarded::TrustedProxies, String> {
    raw.parse()
}

fn parse_secret(raw: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(raw.to_owned()))
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an admin or investigator account; the password is read from standard input.
    Create(UserCreateArgs),
    /// Clear a staff member's second factor (lost phone); they set it up again at next sign-in.
    ResetMfa(ResetMfaArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ResetMfaArgs {
    #[arg(long)]
    pub username: String,
    /// Why, for the audit trail.
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StaffRole {
    Admin,
    Investigator,
}

#[derive(Debug, Clone, Args)]
pub struct UserCreateArgs {
    #[arg(long)]
    pub role: StaffRole,
    #[arg(long)]
    pub username: String,
    /// Name shown to colleagues [default: the username].
    #[arg(long)]
    pub display_name: Option<String>,
    /// Code of a site the investigator works at (repeat for several).
    #[arg(long = "site")]
    pub sites: Vec<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// File to write; must not exist yet.
    #[arg(long)]
    pub to: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Why a command failed, and so its exit status.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            CliError::Config(_) | CliError::Usage(_) => 2,
            // A database that cannot be made safe is a configuration problem.
            CliError::Store(StoreError::UnsafeSetting { .. } | StoreError::Unsupported(_)) => 2,
            CliError::Store(_) | CliError::Failed(_) => 1,
        }
    }
}

impl From<demo::DemoError> for CliError {
    fn from(err: demo::DemoError) -> Self {
        match err {
            demo::DemoError::Store(e) => e.into(),
            other => CliError::Failed(other.to_string()),
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return fail(&CliError::Failed(format!(
                "cannot start the runtime: {error}"
            )));
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

fn fail(error: &CliError) -> ExitCode {
    // One line, whatever the cause's own formatting.
    let message = error.to_string().replace(['\n', '\r'], " ");
    eprintln!("ediary: error: {message}");
    ExitCode::from(error.exit_code())
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve(args) => serve_command(args).await,
        Command::Migrate(args) => {
            let store = store::open(&args.resolve()?).await?;
            store.close().await;
            println!("The database is up to date.");
            Ok(())
        }
        Command::User {
            command: UserCommand::Create(args),
        } => create_user(args).await,
        Command::User {
            command: UserCommand::ResetMfa(args),
        } => {
            if args.reason.trim().is_empty() {
                return Err(CliError::Usage("say why with --reason".into()));
            }
            let username =
                normalize_username(&args.username).map_err(|e| CliError::Usage(e.to_string()))?;
            let store = store::open(&args.database.resolve()?).await?;
            let result = async {
                let user = store
                    .user_by_username(&username)
                    .await?
                    .ok_or_else(|| CliError::Failed(format!("there is no account {username:?}")))?;
                let code = crate::auth::reset_mfa(
                    store.as_ref(),
                    &user,
                    args.reason.trim(),
                    &AuditContext::command_line(),
                )
                .await
                .map_err(|e| CliError::Failed(e.to_string()))?;
                Ok::<_, CliError>(code)
            }
            .await;
            store.close().await;
            if let Some(code) = result? {
                println!(
                    "Two-factor sign-in of {username:?} is reset and their sessions ended. To set it up again they need their password and this one-time set-up code; give it to them in person or by phone, never by email:\n\n    {code}\n"
                );
            } else {
                println!("{username:?} has no two-factor sign-in set up: nothing to reset.");
            }
            Ok(())
        }
        Command::Demo(args) => {
            let store = store::open(&args.resolve()?).await?;
            let outcome = demo::seed(store.as_ref(), &AuditContext::command_line()).await;
            store.close().await;
            print_demo(outcome?, "http://127.0.0.1:3000");
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify(args),
        } => {
            let store = store::open(&args.resolve()?).await?;
            let result = audit_chain::verify(store.as_ref()).await;
            store.close().await;
            match result {
                Ok(rows) => {
                    println!("The audit chain is whole: {rows} rows.");
                    Ok(())
                }
                Err(audit_chain::VerifyError::Store(e)) => Err(e.into()),
                Err(broken) => Err(CliError::Failed(broken.to_string())),
            }
        }
        Command::Backup(args) => {
            let store = store::open(&args.database.resolve()?).await?;
            let result = store.backup(&args.to).await;
            store.close().await;
            result?;
            println!("Backup written to {}", args.to.display());
            Ok(())
        }
    }
}

fn print_demo(outcome: SeedOutcome, base_url: &str) {
    use std::io::Write;
    // Written, not println!: a closed pipe (`ediary demo | head -1`) must not
    // panic; the data is stored already.
    let mut out = std::io::stdout().lock();
    if outcome == SeedOutcome::Seeded {
        let _ = writeln!(out, "Seeded the demo study.");
    }
    for line in demo::login_lines(base_url) {
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
}

async fn serve_command(args: ServeArgs) -> Result<(), CliError> {
    let database = args.database.resolve()?;
    // Checked now so a missing secret stops the start, not the first sign-in.
    let signing_secret =
        config::signing_secret(args.jwt_secret, &database, &args.database.data_dir)?;
    telemetry::init("info,sqlx=warn");
    let staff_mfa = !args.staff_mfa.eq_ignore_ascii_case("off");
    if !staff_mfa {
        tracing::warn!(
            "EDIARY_STAFF_MFA=off: staff sign in without a second factor (development and demo only)"
        );
    }
    tracing::info!(database = %database, "opening the database");
    let store = store::open(&database).await?;
    let base_url = format!("http://{}", args.addr);
    if args.demo {
        match demo::seed(store.as_ref(), &AuditContext::system("ediary serve --demo")).await {
            Ok(outcome) => print_demo(outcome, &base_url),
            // A database holding a real study is served as it is.
            Err(demo::DemoError::Store(StoreError::Refused(reason))) => {
                tracing::warn!(%reason, "not seeding the demo study");
            }
            Err(other) => return Err(other.into()),
        }
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| CliError::Failed(format!("cannot listen on {}: {e}", args.addr)))?;
    let site = SiteConfig {
        root: args.site_root,
        pkg_dir: args.site_pkg_dir,
        output_name: args.output_name,
    };
    if !site.root.join(&site.pkg_dir).is_dir() {
        tracing::warn!(root = %site.root.display(), "no built web app found: pages will load without their scripts (build with `make build`)");
    }
    let mut state = serve::app_state(
        store.clone(),
        Auth::new(&signing_secret, staff_mfa),
        &site,
        args.addr,
    );
    if let Some(url) = &args.public_url {
        state.public_url = url.trim_end_matches('/').into();
    }
    state.trusted_proxies = std::sync::Arc::new(args.trusted_proxies.clone());
    if let Some(rate) = std::num::NonZeroU32::new(args.sync_requests_per_minute) {
        state.sync_rate_limit =
            std::sync::Arc::new(crate::http::rate_limit::SyncRateLimit::per_minute(rate));
    }
    // The study's thresholds live in the database (admins change them).
    let settings = store
        .alert_settings()
        .await
        .map_err(|e| CliError::Failed(format!("cannot read the alert settings: {e}")))?;
    state.alerts = std::sync::Arc::new(crate::alerts::Alerts {
        settings: settings.into(),
        follow_store: true,
        webhook_secret: args.webhook_secret.clone(),
        smtp_url: args.smtp_url.clone(),
        email_from: args.alert_from.clone(),
        webhook_allow_private: args.webhook_allow_private,
        wake: tokio::sync::Notify::new(),
    });
    if args.webhook_allow_private {
        tracing::warn!(
            "webhooks may go to http and to private addresses (EDIARY_WEBHOOK_ALLOW_PRIVATE): only for receivers on the site's own network"
        );
    }
    // Emails and webhooks from the outbox; dropped with the runtime.
    let dispatcher = tokio::spawn(crate::alerts::dispatcher::run(
        store.clone(),
        state.alerts.clone(),
    ));
    tracing::info!("listening on {base_url}");
    println!("T1D eDiary is running at {base_url} (Ctrl-C stops it)");
    let result = serve::run(
        listener,
        state,
        serve::shutdown_signal(),
        Duration::from_secs(args.shutdown_grace_secs),
    )
    .await;
    dispatcher.abort();
    store.close().await;
    tracing::info!("stopped");
    result.map_err(|e| CliError::Failed(format!("the server stopped with an error: {e}")))
}

async fn create_user(args: UserCreateArgs) -> Result<(), CliError> {
    let username =
        normalize_username(&args.username).map_err(|e| CliError::Usage(e.to_string()))?;
    let role = match args.role {
        StaffRole::Admin => Role::Admin,
        StaffRole::Investigator => Role::Investigator,
    };
    match (role, args.sites.is_empty()) {
        (Role::Investigator, true) => {
            return Err(CliError::Usage(
                "an investigator needs at least one --site CODE".into(),
            ));
        }
        (Role::Admin, false) => {
            return Err(CliError::Usage(
                "an admin sees every site: leave out --site".into(),
            ));
        }
        _ => {}
    }
    let password = read_password()?;
    password::check_new(&password).map_err(CliError::Usage)?;
    let store = store::open(&args.database.resolve()?).await?;
    let result = async {
        let mut site_ids = Vec::new();
        for code in &args.sites {
            let site = store
                .site_by_code(code)
                .await?
                .ok_or_else(|| CliError::Failed(format!("there is no site with code {code:?}")))?;
            site_ids.push(site.id);
        }
        let hash = password::hash(SecretString::from(password))
            .await
            .map_err(|e| CliError::Failed(e.to_string()))?;
        let user = NewUser {
            id: Uuid::now_v7(),
            display_name: args
                .display_name
                .clone()
                .unwrap_or_else(|| username.clone()),
            username: username.clone(),
            role,
            password_hash: hash,
        };
        Ok::<_, CliError>(
            store
                .create_user(&user, &site_ids, &AuditContext::command_line())
                .await?,
        )
    }
    .await;
    store.close().await;
    let user = result?;
    println!(
        "Created {} account {:?} ({})",
        user.role, user.username, user.id
    );
    Ok(())
}

/// The first line of standard input, without its line ending.
fn read_password() -> Result<String, CliError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Type the password and press Enter:");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Failed(format!("cannot read the password: {e}")))?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err(CliError::Usage("no password on standard input".into()));
    }
    Ok(password)
}
