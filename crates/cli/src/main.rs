//! `yici`: one binary. `demo` runs everything on an embedded SQLite file with
//! demo data; `serve` runs on SQLite or PostgreSQL; `migrate` and
//! `audit verify` are for operators.

mod config;

use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use yici_domain::time::{Clock, SystemClock};
use yici_store::Db;
use yici_web::state::AuditSealing;
use yici_web::{AppState, WebConfig};

use config::Config;

#[derive(Parser)]
#[command(
    name = "yici",
    version,
    about = "综合查一次 joint environmental inspections"
)]
struct Cli {
    /// Configuration file (TOML); `YICI_…` environment variables override it.
    #[arg(long, global = true, env = "YICI_CONFIG", default_value = "yici.toml")]
    config: String,
    /// `sqlite:yici.db` or `postgres://user@host/db`.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve on an existing database (migrations are applied first).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free one).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Create the demo database if missing, load the demo data, serve.
    Demo {
        #[arg(long)]
        bind: Option<String>,
        /// How many generated enterprises the registry holds (200000 for benchmarks).
        #[arg(long, default_value_t = yici_demo::DEFAULT_ENTERPRISES)]
        enterprises: usize,
        /// Load the data and exit instead of serving (benchmark set-up).
        #[arg(long)]
        load_only: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Double-random draws.
    Draw {
        #[command(subcommand)]
        command: DrawCommand,
    },
}

#[derive(Subcommand)]
enum DrawCommand {
    /// Re-run a recorded draw from its seed and candidate list and say whether
    /// it gives the recorded result (exit 1 if not).
    Verify {
        /// The draw's number (抽取记录编号).
        id: i64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and check its seals: report altered, deleted,
    /// reordered, tail-truncated or re-hashed entries and forged or removed
    /// seals (exit 1 if any).
    Verify,
    /// Seal the chain's head now with the key of `[audit]` (the server does
    /// it every `seal_minutes`).
    Seal,
}

/// glibc gives every thread its own malloc arena; after a large import the
/// freed memory stays scattered over them and the process keeps hundreds of MB.
/// Two arenas keep allocation fast on this many cores and let memory return.
/// Blocks of 1 MB and more are mapped on their own and unmapped when freed:
/// by default glibc raises that threshold to 32 MB after the first large
/// free (an import's 59 MB body), and the big buffers of later work then
/// came from the heap and kept it large.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called before any other thread exists; mallopt only tunes malloc.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn main() -> Result<()> {
    limit_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("YICI_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let mut cfg = Config::load(&cli.config)?;
    if let Some(url) = cli.database_url {
        cfg.database_url = url;
    }
    match cli.command {
        Command::Migrate => {
            let db = open(&cfg).await?;
            println!("已执行迁移 {} 个", yici_store::migrate::run(&db).await?);
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let db = connect(&cfg).await?;
            let key = cfg.audit.key(&cfg.database_url)?;
            if !audit_verify(&db, key).await? {
                std::process::exit(1);
            }
        }
        Command::Audit {
            command: AuditCommand::Seal,
        } => {
            let db = connect(&cfg).await?;
            let (key, _) = cfg.audit.key_or_create(&cfg.database_url)?;
            match yici_store::audit::seal(&db, SystemClock.now(), &key).await? {
                Some(s) => println!(
                    "sealed: seal {} covers entries 1–{} (key {})",
                    s.body.no,
                    s.body.head_seq,
                    key.id()
                ),
                None => println!("nothing to seal: the newest seal already covers the head"),
            }
        }
        Command::Draw {
            command: DrawCommand::Verify { id },
        } => {
            let db = connect(&cfg).await?;
            if !verify_draw(&db, id).await? {
                std::process::exit(1);
            }
        }
        Command::Serve { bind } => {
            let db = open(&cfg).await?;
            serve(db, &cfg, bind.unwrap_or(cfg.bind.clone())).await?;
        }
        Command::Demo {
            bind,
            enterprises,
            load_only,
        } => {
            let db = open(&cfg).await?;
            let clock = SystemClock;
            if !yici_demo::is_loaded(&db).await? {
                println!("正在载入演示数据……");
                let logins = yici_demo::load(&db, clock.now(), &cfg.initial_password).await?;
                println!(
                    "演示账号（初始密码 {}，首次登录须修改）：",
                    cfg.initial_password
                );
                for (who, login) in logins.lines {
                    println!("  {login:<16} {who}");
                }
            } else {
                println!("演示数据已存在（{}），直接启动。演示账号：admin、tssytx_dq、tssytx_s、tssytx_bg、hbs_dq、sjzs_dq、sjzsgcq_dq（初始密码 {}；各负责人、办公室的手机号见 README）", cfg.database_url, cfg.initial_password);
            }
            let have =
                yici_store::Exec::scalar_i64(&mut &db, "SELECT COUNT(*) FROM enterprises", vec![])
                    .await?;
            if (have as usize) < enterprises {
                println!("正在生成企业名录：{enterprises} 家……");
                let started = std::time::Instant::now();
                yici_demo::load_enterprises(&db, clock.now(), enterprises).await?;
                println!(
                    "企业名录已载入，用时 {:.1} 秒",
                    started.elapsed().as_secs_f64()
                );
            }
            if !load_only {
                // Not for benchmark set-ups: they start from an empty task list.
                let made = yici_demo::load_tasks(&db, clock.now()).await?;
                if made > 0 {
                    println!("已生成演示任务 {made} 个（玉田县分局水股、固废股、土壤股）");
                    if let Some(f) = yici_demo::field::schedule_demo_tasks(&db, clock.now()).await?
                    {
                        println!(
                            "执法端（手机）：/m，水股检查人员 {} 以手机号 {} 登录（初始密码同上）",
                            f.inspector_name, f.inspector_mobile
                        );
                        println!(
                            "企业端：/e/signup 注册，可用 {}（统一社会信用代码 {}）；验证码发往名录登记的联系人手机，演示时见 admin 的短信发件箱 /sms/outbox",
                            f.enterprise_name, f.enterprise_uscc
                        );
                        if let Some(v) =
                            yici_demo::field::visit_demo_task(&db, clock.now(), &f).await?
                        {
                            println!(
                                "检查结果与整改：任务 /tasks/{} （{}）已提交结果并发现问题，整改任务待下发：/rectifications",
                                v.task_id, v.enterprise_name
                            );
                            println!(
                                "结果公开（无需登录）：/public/results，开放数据：/public/data"
                            );
                        }
                    }
                }
                serve(db, &cfg, bind.unwrap_or(cfg.bind.clone())).await?;
            }
        }
    }
    Ok(())
}

async fn connect(cfg: &Config) -> Result<Db> {
    let durability = yici_store::Durability::parse(&cfg.sqlite_synchronous)
        .context("sqlite_synchronous: expected \"normal\" or \"full\"")?;
    Db::connect_with(&cfg.database_url, durability)
        .await
        .with_context(|| format!("connecting to {}", cfg.database_url))
}

async fn open(cfg: &Config) -> Result<Db> {
    let db = connect(cfg).await?;
    yici_store::migrate::run(&db).await?;
    Ok(db)
}

/// Prints what `audit verify` found; true when nothing is wrong.
async fn audit_verify(
    db: &Db,
    key: Option<(yici_domain::audit::seal::SealKey, String)>,
) -> Result<bool> {
    let report = yici_store::audit::verify(db, key.as_ref().map(|(k, _)| k)).await?;
    if report.findings.is_empty() {
        println!(
            "audit chain intact: {} entries verified, head at {}",
            report.checked, report.head_seq
        );
    } else {
        println!(
            "audit chain BROKEN: {} entries checked, {} finding(s):",
            report.checked,
            report.findings.len()
        );
        for f in &report.findings {
            println!("  - {f}");
        }
    }
    let seals = &report.seals;
    match (&report.last_seal, &key) {
        (None, _) => println!("seals: none yet (the server seals the head every [audit] seal_minutes)"),
        (Some(last), _) => println!(
            "seals: {} in all, the newest ({}) covers entries 1–{}; {} MAC(s) checked with key {}{}",
            last.body.no,
            yici_domain::time::display(last.body.sealed_at),
            last.body.head_seq,
            seals.checked,
            key.as_ref().map_or("(none: key file not found)".to_string(), |(k, from)| format!("{} from {from}", k.id())),
            if seals.other_key > 0 {
                format!(", {} made under another key", seals.other_key)
            } else {
                String::new()
            }
        ),
    }
    if !seals.findings.is_empty() {
        println!("audit seals BROKEN: {} finding(s):", seals.findings.len());
        for f in &seals.findings {
            println!("  - {f}");
        }
    }
    Ok(report.intact())
}

async fn serve(db: Db, cfg: &Config, bind: String) -> Result<()> {
    let listener = TcpListener::bind(&bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let addr = listener.local_addr()?;
    let seal_key = cfg.audit.key_or_create(&cfg.database_url)?;
    let state = AppState::new(
        db,
        Arc::new(SystemClock),
        WebConfig {
            initial_password: cfg.initial_password.clone(),
            secure_cookies: cfg.secure_cookies,
            trust_proxy: cfg.trust_proxy,
            trusted_proxy_hops: cfg.trusted_proxy_hops,
            draw: cfg.draw.policy()?,
            credit: cfg.credit_rule()?,
            sms: cfg.sms.settings()?,
            check_in_key: cfg.field.check_in_key()?,
            public_url: cfg.field.public_url(),
            evidence_dir: cfg.field.evidence_dir(&cfg.database_url),
            evidence_max_bytes: cfg.field.evidence_max_bytes,
            import_limits: cfg.import.limits()?,
            publication: {
                cfg.publication
                    .check()
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                cfg.publication.clone()
            },
            warnings: {
                cfg.warnings.check().map_err(|e| anyhow::anyhow!("{e}"))?;
                cfg.warnings.clone()
            },
            auth: cfg.security.policy()?,
            rate_limits: cfg.rate_limits.limits(),
            audit_seal: Some(AuditSealing {
                key: seal_key.0.clone(),
                every: cfg.audit.every()?,
            }),
            sign_up: {
                cfg.sign_up.check().map_err(|e| anyhow::anyhow!("{e}"))?;
                cfg.sign_up
            },
        },
    );
    let stop = stop_requested()?;
    if cfg.field.check_in_key.is_empty() {
        println!("检查二维码签名密钥未配置（[field] check_in_key）：本次启动随机生成，重启后已出示的二维码失效");
    }
    println!(
        "审计日志链头封存密钥：{}（标识 {}），每 {} 分钟封存一次",
        seal_key.1,
        seal_key.0.id(),
        cfg.audit.seal_minutes
    );
    println!("yici 已启动： http://{addr}/");
    yici_web::serve(listener, state, stop).await?;
    println!("yici 已停止");
    Ok(())
}

/// Ctrl-C, or SIGTERM — what systemd and container runtimes send on every
/// stop and restart. Both take the graceful path: requests in flight finish
/// and the SMS worker finishes or releases its claims, so no message is sent
/// twice after its lease runs out. The handlers are installed here, before the
/// server says it has started: a signal arriving before the returned future is
/// first polled would otherwise still kill the process.
fn stop_requested() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    let mut terminate =
        signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Prints a draw's re-run; true when it matches the record in every part.
async fn verify_draw(db: &Db, id: i64) -> anyhow::Result<bool> {
    let (draw, v) = match yici_store::draw::draws::verify(db, id).await {
        Ok(found) => found,
        Err(yici_store::StoreError::Domain(e)) => {
            println!("抽取记录 {id}：{}", e.message);
            return Ok(false);
        }
        Err(e) => return Err(e.into()),
    };
    let mark = |ok: bool| if ok { "一致" } else { "不一致" };
    println!(
        "抽取记录 {id}（{}，{} {}，{}，{}）",
        yici_store::draw::draws::kind_label(&draw.kind),
        draw.unit_name,
        draw.department_name,
        draw.drawn_by_name,
        yici_domain::time::display(draw.drawn_at)
    );
    println!(
        "  算法 {}，候选 {} 个，抽取 {} 个",
        draw.algorithm, draw.candidate_count, draw.count
    );
    println!("  候选名单哈希：{}", mark(v.candidates_hash_matches));
    println!("  承诺值（commitment）：{}", mark(v.commitment_matches));
    println!("  重新抽取结果：{}", mark(v.result_matches));
    let ids: Vec<String> = v.recomputed.iter().map(i64::to_string).collect();
    println!("  重新抽取得到：{}", ids.join(", "));
    if v.holds() {
        println!("复核一致：记录的结果可由种子和候选名单重现");
    } else {
        println!("复核不一致：记录已被改动或不完整");
    }
    Ok(v.holds())
}
