//! The `portico` binary: command line, configuration, start-up, graceful shutdown, demo data.

use clap::{Parser, Subcommand};
use portico::config::{Config, FileConfig};
use portico::demo;
use portico_app::users::NewUserInput;
use portico_app::{Context, Settings, system_clock};
use portico_web::{AppState, WebConfig};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "portico",
    version,
    about = "Self-hosted CRM with customer portals"
)]
struct Cli {
    /// Configuration file (TOML); flags and PORTICO_* variables override it.
    #[arg(long, env = "PORTICO_CONFIG", global = true)]
    config: Option<std::path::PathBuf>,
    /// Database URL: sqlite:PATH or postgres://user@host/db [default: sqlite:portico-data/portico.db]
    #[arg(long, env = "PORTICO_DATABASE_URL", global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the admin UI and the API.
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080]
        #[arg(long, env = "PORTICO_LISTEN")]
        listen: Option<String>,
        /// Public URL used in every link the system generates [default: http://<listen>]
        #[arg(long, env = "PORTICO_BASE_URL")]
        base_url: Option<String>,
        /// Load the demo org "Zylker" (once; restarting keeps its data).
        #[arg(long, env = "PORTICO_DEMO")]
        demo: bool,
        /// Also serve each portal at {slug}.{portal-domain} (e.g. portals.example.com).
        #[arg(long, env = "PORTICO_PORTAL_DOMAIN")]
        portal_domain: Option<String>,
        /// DNS server (ip:port) asked when verifying custom domains [default: the first nameserver in /etc/resolv.conf]
        #[arg(long, env = "PORTICO_DNS_RESOLVER")]
        dns_resolver: Option<String>,
        /// SMTP server for email: smtp://host:port (plain), smtp://host:587?tls=required
        /// (STARTTLS), smtps://host:465 (implicit TLS), with user:password@ to authenticate.
        /// Without it, emails stay in the outbox (the mail log) and nothing is sent.
        #[arg(long, env = "PORTICO_SMTP_URL")]
        smtp_url: Option<String>,
        /// The sender of every email, e.g. "Portico <crm@example.com>" (needed with --smtp-url).
        #[arg(long, env = "PORTICO_MAIL_FROM")]
        mail_from: Option<String>,
        /// A reverse proxy stands in front: take the client's address from the last
        /// X-Forwarded-For entry (audit log, per-address sign-in limit). Only with a proxy that
        /// sets it; otherwise any client could claim any address.
        #[arg(long, env = "PORTICO_TRUST_FORWARDED_FOR")]
        trust_forwarded_for: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage orgs and their administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage purchased portal seats.
    Seats {
        #[command(subcommand)]
        command: SeatsCommand,
    },
    /// List the orgs of this instance with their ids.
    Orgs,
    /// Invite many records of a user type's personality module to a portal, as the org's first
    /// super admin (or --as): shows a progress bar until every invitation is written, then the
    /// summary. Without a running server, this command does the work itself.
    Invite {
        /// The org's id, as `portico orgs` prints it.
        #[arg(long)]
        org: i64,
        /// The portal's id.
        #[arg(long)]
        portal: i64,
        /// The user type's id (of that portal).
        #[arg(long)]
        user_type: i64,
        /// The records to invite: ids separated by commas.
        #[arg(
            long,
            value_delimiter = ',',
            conflicts_with = "all",
            required_unless_present = "all"
        )]
        records: Vec<i64>,
        /// Every record not yet invited with a valid email address (at most 50,000).
        #[arg(long)]
        all: bool,
        /// With --all: only records whose name or email contains this.
        #[arg(long, requires = "all")]
        search: Option<String>,
        /// The emails' and accounts' language (default: the org's).
        #[arg(long)]
        language: Option<String>,
        /// Act as the CRM user with this email instead of the first super admin.
        #[arg(long = "as")]
        as_email: Option<String>,
    },
    /// Read an org's outbox (the mail log).
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// List an org's emails, newest first: state, attempts, times, recipient, subject.
    List {
        /// The org's id, as `portico orgs` prints it.
        #[arg(long)]
        org: i64,
        /// Only emails in this state: pending, sending, sent or failed.
        #[arg(long)]
        state: Option<String>,
        /// How many (1 to 200).
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Older than this email id (the cursor printed under a full page).
        #[arg(long)]
        after: Option<i64>,
    },
}

#[derive(Subcommand)]
enum SeatsCommand {
    /// Grant purchased portal seats to an org (recorded with who granted how many and when).
    Grant {
        /// The org's id, as `portico orgs` and `portico admin create` print it. (An email
        /// domain does not name one org: two orgs may share it.)
        #[arg(long)]
        org: i64,
        #[arg(long)]
        seats: i64,
        /// Who grants them (default: the USER environment variable, or "operator").
        #[arg(long)]
        granted_by: Option<String>,
        /// A note, e.g. the order or invoice number.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Show an org's seat grants and use.
    Show {
        /// The org's id, as `portico orgs` prints it.
        #[arg(long)]
        org: i64,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an org and its super admin. The password is read from a prompt, or from the first
    /// line of standard input when it is not a terminal — never from the command line.
    Create {
        #[arg(long)]
        org_name: String,
        /// The company's email domain (e.g. zylker.com).
        #[arg(long)]
        domain: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "en")]
        language: String,
        #[arg(long, default_value = "UTC")]
        time_zone: String,
        #[arg(long, default_value = "US")]
        country: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a CRM user; prints the token once.
    Create {
        #[arg(long)]
        email: String,
        /// The org's id (as `portico orgs` prints it), needed when the email belongs to CRM
        /// users in several orgs.
        #[arg(long)]
        org: Option<i64>,
        #[arg(long, default_value = "cli")]
        label: String,
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// List an org's API tokens that are not revoked (ids, owners, expiry, last use; never
    /// the secrets).
    List {
        /// The org's id, as `portico orgs` prints it.
        #[arg(long)]
        org: i64,
    },
    /// Revoke an API token by its id (as `portico token list` prints it); it answers 401 at
    /// once.
    Revoke {
        #[arg(long)]
        id: i64,
        /// Who revokes it, for the audit log (default: the USER environment variable, or
        /// "operator").
        #[arg(long)]
        revoked_by: Option<String>,
    },
}

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn open_context(config: &Config) -> Result<Context, String> {
    let store = portico_store::Store::open(&config.database_url).map_err(|e| e.to_string())?;
    let clock = system_clock();
    let version = store
        .migrate(clock())
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    tracing::info!(
        backend = store.backend(),
        schema_version = version,
        "database ready"
    );
    let mut settings = Settings::system();
    settings.base_url = portico_domain::base_url::BaseUrl::parse(&config.base_url)
        .map_err(|e| format!("--base-url: {e}"))?;
    if let Some(resolver) = &config.dns_resolver {
        settings.dns_resolver = Some(
            resolver
                .parse()
                .map_err(|_| format!("--dns-resolver must be ip:port, not {resolver}"))?,
        );
    }
    Ok(Context::new(store, settings, clock))
}

fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Repeat password: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let file = FileConfig::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve {
            listen,
            base_url,
            demo,
            portal_domain,
            dns_resolver,
            smtp_url,
            mail_from,
            trust_forwarded_for,
        } => {
            let config = Config::resolve(&file, cli.database_url, listen, base_url, demo)
                .with_portal(portal_domain, dns_resolver)
                .with_mail(smtp_url, mail_from)
                .with_proxy(trust_forwarded_for);
            serve(config).await
        }
        Command::Invite {
            org,
            portal,
            user_type,
            records,
            all,
            search,
            language,
            as_email,
        } => {
            let config = Config::resolve(&file, cli.database_url, None, None, false);
            let ctx = open_context(&config).await?;
            let selection = if all {
                portico_app::invitation_batches::Selection::Filter { search }
            } else {
                portico_app::invitation_batches::Selection::Records(records)
            };
            let to = portico_app::invitations::InviteTo {
                portal_id: portal,
                user_type_id: user_type,
                language,
            };
            invite_command(&ctx, org, as_email.as_deref(), &to, selection).await
        }
        Command::Mail { command } => {
            let config = Config::resolve(&file, cli.database_url, None, None, false);
            mail_command(&open_context(&config).await?, command).await
        }
        Command::Migrate => {
            let config = Config::resolve(&file, cli.database_url, None, None, false);
            open_context(&config)
                .await
                .map(|_| println!("Migrations applied."))
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    org_name,
                    domain,
                    email,
                    name,
                    language,
                    time_zone,
                    country,
                },
        } => {
            let config = Config::resolve(&file, cli.database_url, None, None, false);
            let ctx = open_context(&config).await?;
            let password = read_password()?;
            let settings = portico_domain::org::OrgSettings {
                name: org_name,
                email_domain: domain,
                language,
                time_format: portico_domain::org::TimeFormat::TwentyFourHour,
                time_zone,
                country,
                gdpr_consent_required: false,
            };
            let admin = NewUserInput {
                email,
                name,
                password,
                profile_id: 0,
                super_admin: true,
            };
            let (org, user) = portico_app::org::provision_org(&ctx, settings, admin)
                .await
                .map_err(|e| e.describe())?;
            println!(
                "Created org {} (id {}) with super admin {}.",
                org.settings.name, org.id, user.email
            );
            Ok(())
        }
        Command::Seats { command } => {
            let config = Config::resolve(&file, cli.database_url, None, None, false);
            let ctx = open_context(&config).await?;
            let org_id = match &command {
                SeatsCommand::Grant { org, .. } | SeatsCommand::Show { org } => *org,
            };
            let org = portico_app::org::org_by_id(&ctx, org_id)
                .await
                .map_err(no_org(org_id))?;
            if let SeatsCommand::Grant {
                seats,
                granted_by,
                note,
                ..
            } = command
            {
                let by = granted_by
                    .or_else(|| std::env::var("USER").ok())
                    .unwrap_or_else(|| "operator".into());
                let grant = portico_app::seats::grant_seats(&ctx, org.id, seats, &by, &note)
                    .await
                    .map_err(|e| e.describe())?;
                println!(
                    "Granted {} seats to {} (grant {}, by {}).",
                    grant.seats, org.settings.name, grant.id, grant.granted_by
                );
            }
            let grants = portico_app::seats::seat_grants(&ctx, org.id)
                .await
                .map_err(|e| e.describe())?;
            let total = grants
                .iter()
                .try_fold(0i64, |sum, g| sum.checked_add(g.seats))
                .ok_or("the seat grants are too large to add up")?;
            println!(
                "{}: {total} purchased seats in {} grants.",
                org.settings.name,
                grants.len()
            );
            Ok(())
        }
        Command::Orgs => {
            let config = Config::resolve(&file, cli.database_url, None, None, false);
            let ctx = open_context(&config).await?;
            let orgs = portico_app::org::list_orgs(&ctx)
                .await
                .map_err(|e| e.describe())?;
            println!("{:>6}  {:<32}  email domain", "id", "name");
            for org in orgs {
                println!(
                    "{:>6}  {:<32}  {}",
                    org.id, org.settings.name, org.settings.email_domain
                );
            }
            Ok(())
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    email,
                    org,
                    label,
                    days,
                },
        } => {
            let config = Config::resolve(&file, cli.database_url, None, None, false);
            let ctx = open_context(&config).await?;
            if !(1..=3650).contains(&days) {
                return Err("--days is between 1 and 3650".into());
            }
            let ttl = days * 86_400_000;
            let (token, _) =
                portico_app::sign_in::issue_api_token_for(&ctx, &email, org, &label, ttl)
                    .await
                    .map_err(|e| e.describe())?;
            println!("{token}");
            Ok(())
        }
        Command::Token {
            command: TokenCommand::List { org },
        } => {
            let config = Config::resolve(&file, cli.database_url, None, None, false);
            let ctx = open_context(&config).await?;
            let tokens = portico_app::api_tokens::org_tokens(&ctx, org)
                .await
                .map_err(no_org(org))?;
            println!(
                "{:>6}  {:>6}  {:<24}  {:<24}  {:<24}  label",
                "id", "user", "created", "expires", "last used"
            );
            for t in tokens {
                println!(
                    "{:>6}  {:>6}  {:<24}  {:<24}  {:<24}  {}",
                    t.id,
                    t.user_id,
                    portico_web::present::rfc3339(t.created_at),
                    portico_web::present::rfc3339(t.expires_at),
                    t.last_used_at
                        .map(portico_web::present::rfc3339)
                        .unwrap_or_else(|| "never".into()),
                    t.label
                );
            }
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Revoke { id, revoked_by },
        } => {
            let config = Config::resolve(&file, cli.database_url, None, None, false);
            let ctx = open_context(&config).await?;
            let by = revoked_by
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "operator".into());
            let token = portico_app::api_tokens::revoke_token_by_operator(&ctx, id, &by)
                .await
                .map_err(|e| match e {
                    portico_app::AppError::NotFound => {
                        format!("there is no API token {id} that is not already revoked")
                    }
                    other => other.describe(),
                })?;
            println!(
                "Revoked API token {} ({}) of user {} in org {}.",
                token.id, token.label, token.user_id, token.org_id
            );
            Ok(())
        }
    }
}

/// The operator's message for a use case's error about org `org`: an unknown id says so.
fn no_org(org: i64) -> impl Fn(portico_app::AppError) -> String {
    move |e| match e {
        portico_app::AppError::NotFound => {
            format!("there is no org with id {org} (see `portico orgs`)")
        }
        other => other.describe(),
    }
}

/// `portico invite`: starts the batch, runs it here unless a server's worker holds it, and
/// draws a progress bar until it is done; then the summary with the failures by code.
async fn invite_command(
    ctx: &Context,
    org: i64,
    as_email: Option<&str>,
    to: &portico_app::invitations::InviteTo,
    selection: portico_app::invitation_batches::Selection,
) -> Result<(), String> {
    use portico_app::invitation_batches as batches;
    use std::io::Write;
    let actor = batches::operator_actor(ctx, org, as_email)
        .await
        .map_err(|e| match e {
            portico_app::AppError::NotFound => match as_email {
                Some(email) => format!("there is no active CRM user {email} in org {org}"),
                None => format!("org {org} has no active super admin (see `portico orgs`)"),
            },
            other => other.describe(),
        })?;
    let started = batches::start_batch(ctx, &actor, to, selection)
        .await
        .map_err(|e| match e {
            portico_app::AppError::NotFound => {
                "there is no such portal or user type in this org".to_string()
            }
            other => other.describe(),
        })?;
    let id = started.batch_id;
    println!("Invitation batch {id}: {} records.", started.total);
    let interactive = std::io::stdout().is_terminal();
    // Runs the batch here whenever no server's worker holds it; otherwise waits and tries again
    // (a worker that died leaves its lease to run out).
    let work = async {
        loop {
            match batches::run_claimed(ctx, Some(id), None).await {
                Ok(Some((_, batches::RunEnd::Done))) => break,
                Ok(_) => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
                Err(e) => {
                    tracing::warn!(error = %e.detail(), "the batch stopped; trying again");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    };
    let watch = async {
        let mut progress = started.clone();
        loop {
            let done = progress.sent + progress.failed_count;
            let width = 40;
            let filled =
                usize::try_from((done * width).checked_div(progress.total).unwrap_or(width))
                    .unwrap_or(0);
            let bar = format!(
                "[{}{}] {done}/{} · {} sent · {} failed",
                "#".repeat(filled),
                ".".repeat(40usize.saturating_sub(filled)),
                progress.total,
                progress.sent,
                progress.failed_count
            );
            if interactive {
                print!("\r{bar}");
                std::io::stdout().flush().map_err(|e| e.to_string())?;
            } else {
                println!("{bar}");
            }
            if progress.done() {
                return Ok::<_, String>(progress);
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            progress = batches::batch(ctx, &actor, to.portal_id, id, None, Some(1))
                .await
                .map_err(|e| e.describe())?;
        }
    };
    let progress = tokio::select! {
        watched = watch => watched?,
        () = work => batches::batch(ctx, &actor, to.portal_id, id, None, Some(1))
            .await
            .map_err(|e| e.describe())?,
    };
    if interactive {
        println!();
    }
    println!(
        "Done: {} sent, {} failed of {}.",
        progress.sent, progress.failed_count, progress.total
    );
    for (code, n) in batches::failures_by_code(ctx, &actor, to.portal_id, id)
        .await
        .map_err(|e| e.describe())?
    {
        println!("  {n:>6}  {code}");
    }
    Ok(())
}

/// `portico mail list`: a page of an org's outbox as a table.
async fn mail_command(ctx: &Context, command: MailCommand) -> Result<(), String> {
    use portico_domain::outbox::MailState;
    let MailCommand::List {
        org,
        state,
        limit,
        after,
    } = command;
    let state = state
        .as_deref()
        .map(|s| {
            MailState::parse(s)
                .ok_or_else(|| format!("--state is pending, sending, sent or failed, not {s:?}"))
        })
        .transpose()?;
    let page = portico_app::mail::MailPage {
        state,
        after,
        limit: Some(limit),
    };
    let found = portico_app::mail::org_mail(ctx, org, page)
        .await
        .map_err(no_org(org))?;
    let time = portico_web::present::rfc3339;
    println!(
        "{:>6}  {:<8}  {:>8}  {:<24}  {:<24}  {:<32}  subject",
        "id", "state", "attempts", "created", "sent", "recipient"
    );
    for m in &found.items {
        println!(
            "{:>6}  {:<8}  {:>8}  {:<24}  {:<24}  {:<32}  {}",
            m.id,
            m.state.as_str(),
            m.attempts,
            time(m.created_at),
            m.sent_at.map(time).unwrap_or_else(|| "-".into()),
            m.recipient,
            m.subject
        );
        if let Some(error) = &m.last_error {
            println!("{:>6}  last error: {error}", "");
        }
    }
    if let Some(next) = found.next {
        println!("More: portico mail list --org {org} --after {next}");
    }
    Ok(())
}

async fn serve(config: Config) -> Result<(), String> {
    let mut web = WebConfig::new(&config.base_url);
    web.portal_domain = config.portal_domain.clone();
    web.trust_forwarded_for = config.trust_forwarded_for;
    let ctx = open_context(&config).await?;
    let mailer = match config.mail()? {
        Some((url, from)) => Some(
            portico_mail::Mailer::new(url, from, ctx.settings().base_url.host())
                .map_err(|e| e.to_string())?,
        ),
        None => None,
    };
    web.mail_delivery = mailer
        .as_ref()
        .map(|m| format!("{} as {}", m.server(), m.from()));
    let state = AppState::new(ctx, web);
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    if config.demo {
        let credentials = demo::load(&state).await?;
        println!(
            "Demo data loaded (org Zylker). Sign in at {}/admin/login",
            config.base_url
        );
        for (role, email, password) in credentials {
            println!("  {role:<14} {email}  password: {password}");
        }
        println!(
            "Portal customer at {}/p/{}/ : {}  password: {}",
            config.base_url,
            demo::PORTAL_SLUG,
            demo::PORTAL_CLIENT_EMAIL,
            demo::PORTAL_CLIENT_PASSWORD
        );
    } else {
        println!(
            "Portico is running. Sign in at {}/admin/login",
            config.base_url
        );
    }
    tracing::info!(%address, base_url = %config.base_url, "listening");
    let sweeper = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = portico_app::sign_in::sweep_sessions(&sweeper).await {
                tracing::warn!(error = %e, "could not remove expired sessions");
            }
            if let Err(e) = portico_app::portal_accounts::sweep(&sweeper).await {
                tracing::warn!(error = %e, "could not remove expired portal sessions and links");
            }
            if let Err(e) = portico_app::sign_in_lockout::sweep(&sweeper).await {
                tracing::warn!(error = %e, "could not remove expired sign-in failure counts");
            }
            if let Err(e) = portico_app::records::tidy_search_index(&sweeper).await {
                tracing::warn!(error = %e, "could not tidy the search index");
            }
        }
    });
    let batches = state.clone();
    tokio::spawn(async move {
        portico_app::invitation_batches::run_worker(&batches, std::time::Duration::from_secs(2))
            .await;
    });
    match mailer {
        Some(mailer) => {
            tracing::info!(server = %mailer.server(), from = %mailer.from(), "delivering email");
            let worker = state.clone();
            tokio::spawn(async move {
                let options = portico_app::mail_delivery::WorkerOptions::default();
                portico_app::mail_delivery::run_worker(&worker, &mailer, options).await;
            });
        }
        None => tracing::info!(
            "no SMTP server configured (--smtp-url): emails stay in the outbox, readable in the mail log"
        ),
    }
    axum::serve(listener, portico_web::service(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM; in-flight requests finish first.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
