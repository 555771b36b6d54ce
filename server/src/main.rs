//! `crm-ims`: the server and its command line (see README and ../shared API contract).

use clap::{Parser, Subcommand};
use domain::Role;
use server::config::Config;

#[derive(Parser)]
#[command(
    name = "crm-ims",
    version,
    about = "CRM-IMS: customer relationships and inventory in one app"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app, the API and server functions (runs pending migrations first).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Stock checks.
    Stock {
        #[command(subcommand)]
        command: StockCommand,
    },
    /// The audit trail's hash chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The optional search engine (MEILI_URL): what it holds and how far behind it is.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Load demo data, or bulk synthetic data for benchmarks.
    Seed {
        /// Demo users for every role and a few hundred customers with contacts (idempotent).
        #[arg(long)]
        demo: bool,
        /// Bulk-load this many synthetic customers (with ~2 contacts each) through COPY.
        #[arg(long)]
        customers: Option<u64>,
        /// Bulk-load this many interactions (calls, e-mails, meetings, notes over the last 12 months) through
        /// COPY, spread over the existing customers.
        #[arg(long)]
        interactions: Option<u64>,
        /// Insert this many opportunities (with stage history) over the existing customers.
        #[arg(long)]
        opportunities: Option<u64>,
        /// Insert this many synthetic assets (quantity-tracked, each with an opening receipt).
        #[arg(long)]
        assets: Option<u64>,
        /// With --assets: this many stock movements in all (ledger-consistent ±1 adjustments).
        #[arg(long)]
        movements: Option<u64>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every seal; report the first entry changed, deleted or inserted behind the app's back
    /// (exit code 1), or that the trail is intact.
    Verify,
    /// Seal the entries that are not sealed yet (a running server does this every few seconds).
    Seal,
}

#[derive(Subcommand)]
enum SearchCommand {
    /// The engine's index, the backfill's progress and the changes waiting to be sent.
    Status,
    /// Send what is pending now (the backfill, then queued changes) and exit when nothing is left; a
    /// running server does the same in the background.
    Sync,
    /// Delete the engine's index and send every row again (with --wait: here, until done; otherwise the
    /// servers' workers do it).
    Reindex {
        #[arg(long)]
        wait: bool,
    },
}

#[derive(Subcommand)]
enum StockCommand {
    /// Compare every asset's stored quantities with its stock ledger and open allocations; prints each
    /// difference and exits with status 2 when there is one. Never changes anything: fix a difference with an
    /// audited adjustment (POST /api/v1/assets/{id}/adjustments with a reason).
    Reconcile,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user, or reset the password (and role, name, team) of an existing one.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, value_parser = Role::parse)]
        role: Role,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        team: Option<String>,
    },
}

#[tokio::main]
async fn main() {
    server::init_tracing();
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    match cli.command {
        Command::Serve => server::serve(config).await,
        Command::Migrate => {
            let db = server::db::connect(&config.database_url, 2).await?;
            server::db::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    password,
                    role,
                    name,
                    team,
                },
        } => {
            let db = connected(&config).await?;
            let ctx = server::seed::cli_ctx(db).await?;
            let u = app::ssr::services::users::CliUser {
                email: &email,
                password: &password,
                role,
                name: name.as_deref(),
                team: team.as_deref(),
            };
            let (user, created) = app::ssr::services::users::create_or_reset(&ctx, u)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.into_problem()))?;
            println!(
                "{} user {} ({}, role {})",
                if created { "created" } else { "updated" },
                user.email,
                user.id,
                user.role
            );
            Ok(())
        }
        Command::Audit { command } => {
            let db = connected(&config).await?;
            if matches!(command, AuditCommand::Seal) {
                let n = app::ssr::audit_chain::seal_pending(&db).await?;
                println!("audit seal: sealed {n} entries");
                return Ok(());
            }
            let v = app::ssr::audit_chain::verify(&db).await?;
            match v.broken {
                Some(b) => {
                    println!(
                        "audit verify: BROKEN — {b} (after {} intact entries)",
                        v.sealed
                    );
                    std::process::exit(1);
                }
                None => println!(
                    "audit verify: intact — {} entries sealed over {} days, {} recent entries awaiting the sealer",
                    v.sealed, v.days, v.pending
                ),
            }
            Ok(())
        }
        Command::Stock {
            command: StockCommand::Reconcile,
        } => {
            let db = connected(&config).await?;
            let found = app::ssr::services::assets::reconcile_all(&db)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if found.is_empty() {
                println!("stock reconcile: every asset matches its ledger");
                return Ok(());
            }
            for d in &found {
                println!(
                    "{} ({}): stored total {} / available {}; ledger total {} / available {}; open allocations {}",
                    d.sku,
                    d.asset_id,
                    d.stored_total,
                    d.stored_available,
                    d.ledger_total,
                    d.ledger_available,
                    d.open_allocations
                );
            }
            println!(
                "stock reconcile: {} asset(s) differ from the ledger; nothing was changed",
                found.len()
            );
            std::process::exit(2);
        }
        Command::Search { command } => {
            let db = connected(&config).await?;
            let Some(engine) = server::search_engine(&config, &db).await? else {
                anyhow::bail!("no search engine is configured: set MEILI_URL (and MEILI_KEY)");
            };
            use app::ssr::search;
            let synced = match command {
                SearchCommand::Status => false,
                SearchCommand::Sync => {
                    search::enable(&db, &engine).await?;
                    sync(&db, &engine).await?;
                    true
                }
                SearchCommand::Reindex { wait } => {
                    search::reindex(&db, &engine).await?;
                    println!(
                        "index {} deleted: every row will be sent again",
                        engine.index_uid()
                    );
                    if wait {
                        sync(&db, &engine).await?;
                    }
                    wait
                }
            };
            let status = search::status(&db, &engine).await?;
            println!("{status}");
            // This run sent all it could take, yet work is left: another process (a running server's worker)
            // holds the sync, or changes came in since the last batch.
            if synced && status.work_left() {
                println!(
                    "work is left: another process (a running server's worker) holds the sync, or changes came in since; run again to take them"
                );
            }
            Ok(())
        }
        Command::Seed {
            demo,
            customers,
            interactions,
            opportunities,
            assets,
            movements,
        } => {
            let db = connected(&config).await?;
            if !demo
                && customers.is_none()
                && interactions.is_none()
                && opportunities.is_none()
                && assets.is_none()
            {
                anyhow::bail!(
                    "say what to seed: --demo, --customers N, --interactions M, --opportunities K and/or --assets A [--movements B]"
                );
            }
            if let Some(a) = assets {
                server::seed_inventory::bulk(&db, a, movements.unwrap_or(a)).await?;
            }
            if demo {
                server::seed::demo(&db).await?;
            }
            if let Some(n) = customers {
                server::seed::customers(&db, n).await?;
            }
            if let Some(m) = interactions {
                server::seed::interactions(&db, m).await?;
            }
            if let Some(k) = opportunities {
                server::seed_crm::opportunities(&db, k, true).await?;
            }
            Ok(())
        }
    }
}

/// Syncs until nothing is left, printing progress every 10 s.
async fn sync(db: &sqlx::PgPool, engine: &app::ssr::search::Meili) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut shown = started;
    let mut sent = 0usize;
    loop {
        let n = app::ssr::search::sync_once(db, engine).await?;
        sent += n;
        if n == 0 {
            break;
        }
        if shown.elapsed().as_secs() >= 10 {
            shown = std::time::Instant::now();
            println!(
                "{sent} rows sent ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "search sync: {sent} rows sent in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn connected(config: &Config) -> anyhow::Result<sqlx::PgPool> {
    let db = server::db::connect(&config.database_url, 4).await?;
    server::db::migrate(&db).await?;
    Ok(db)
}
