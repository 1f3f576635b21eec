//! Accounts, passwords, logins and sessions (ORG-4, issue "Foundation" item 7).
//!
//! * Passwords are Argon2id hashes, computed off the async runtime.
//! * 5 failed logins of one login name within 15 minutes lock it for 30
//!   minutes, whether or not an account has that name (SEC-2: the answers
//!   never tell); an address with too many failures is refused for a while
//!   as well.
//! * Sessions are rows (only the SHA-256 of the token is stored), so any
//!   instance serves any request; 30 minutes idle and 12 hours absolute.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use yici_domain::org::totp::Refusal;
use yici_domain::org::{password, PersonStatus, Principal, Role, Sector, UnitLevel};
use yici_domain::{time, DomainError, ErrorKind};

use crate::audit::{self, Change};
use crate::db::{Db, Exec, Row, Tx};
use crate::error::{StoreError, StoreResult};
use crate::{args, second_factor, Actor};

/// Limits of authentication; the defaults are the numbers.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    pub max_failures: i64,
    pub failure_window: Duration,
    pub lock_for: Duration,
    pub max_failures_per_ip: i64,
    pub idle_timeout: Duration,
    pub absolute_timeout: Duration,
    /// How many earlier passwords a new one may not repeat.
    pub history: i64,
    /// How long the page login's second step waits for the code (SEC-2).
    pub second_step_for: Duration,
    /// System administrators without a confirmed second factor get a
    /// session good for enrolling it only (`[security]
    /// require_second_factor_for_admins`, SEC-2).
    pub require_second_factor_for_admins: bool,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        AuthPolicy {
            max_failures: 5,
            failure_window: Duration::minutes(15),
            lock_for: Duration::minutes(30),
            max_failures_per_ip: 30,
            idle_timeout: Duration::minutes(30),
            absolute_timeout: Duration::hours(12),
            history: 5,
            second_step_for: Duration::minutes(5),
            require_second_factor_for_admins: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Browser: cookie plus CSRF token.
    Web,
    /// API bearer token (the field app, integrations).
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

/// A live session as every request sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub principal: Principal,
    pub csrf_token: String,
    pub must_change_password: bool,
    /// A system administrator without a second factor while the policy
    /// requires one: the session may only enrol it (and change the password).
    pub must_enrol_second_factor: bool,
}

/// A session just opened; `token` is shown to the client once and never stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub session: Session,
}

pub fn hash_password_blocking(password: &str) -> StoreResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::internal(format!("password hashing failed: {e}")))
}

pub async fn hash_password(password: String) -> StoreResult<String> {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(|e| StoreError::internal(e.to_string()))?
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_blocking(&password, &hash))
        .await
        .unwrap_or(false)
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// An account with what is needed to authenticate and authorise it.
struct AccountRow {
    id: i64,
    login: String,
    kind: String,
    person_id: Option<i64>,
    unit_id: Option<i64>,
    department_id: Option<i64>,
    password_hash: String,
    must_change_password: bool,
    person_name: Option<String>,
    person_status: Option<String>,
    is_admin: Option<bool>,
    is_officer: Option<bool>,
    department_name: Option<String>,
    unit_name: Option<String>,
    unit_level: Option<String>,
    unit_region_code: Option<String>,
    unit_sector: Option<String>,
    /// A confirmed second factor (SEC-2).
    second_factor: bool,
    /// The account's department is disabled (停用): its secretary account
    /// logs in no more (its people are disabled before it).
    department_disabled: bool,
}

/// Columns of an account with its person, department and unit.
const ACCOUNT_COLUMNS: &str = "a.id, a.login, a.kind, a.person_id, a.unit_id, a.department_id,
        a.password_hash, a.must_change_password,
        p.name AS person_name, p.status AS person_status, p.is_admin, p.is_officer,
        d.name AS department_name, u.name AS unit_name, u.level AS unit_level,
        u.region_code AS unit_region_code, u.sector AS unit_sector,
        d.disabled_at AS department_disabled_at,
        sf.account_id AS second_factor_of";

const ACCOUNT_JOINS: &str = "LEFT JOIN people p ON p.id = a.person_id
   LEFT JOIN departments d ON d.id = a.department_id
   LEFT JOIN units u ON u.id = a.unit_id
   LEFT JOIN second_factors sf ON sf.account_id = a.id AND sf.confirmed_at IS NOT NULL";

fn account_from_row(r: &Row) -> StoreResult<AccountRow> {
    Ok(AccountRow {
        id: r.get("id")?,
        login: r.get("login")?,
        kind: r.get("kind")?,
        person_id: r.get("person_id")?,
        unit_id: r.get("unit_id")?,
        department_id: r.get("department_id")?,
        password_hash: r.get("password_hash")?,
        must_change_password: r.get("must_change_password")?,
        person_name: r.get("person_name")?,
        person_status: r.get("person_status")?,
        is_admin: r.get("is_admin")?,
        is_officer: r.get("is_officer")?,
        department_name: r.get("department_name")?,
        unit_name: r.get("unit_name")?,
        unit_level: r.get("unit_level")?,
        unit_region_code: r.get("unit_region_code")?,
        unit_sector: r.get("unit_sector")?,
        second_factor: r.get::<Option<i64>>("second_factor_of")?.is_some(),
        department_disabled: r
            .get::<Option<DateTime<Utc>>>("department_disabled_at")?
            .is_some(),
    })
}

impl AccountRow {
    /// The session of this account as every request sees it.
    fn session(
        &self,
        policy: &AuthPolicy,
        roles: Vec<Role>,
        token_hash: String,
        csrf_token: String,
    ) -> Session {
        let principal = self.principal(roles);
        let must_enrol_second_factor = policy.require_second_factor_for_admins
            && principal.has(Role::SystemAdmin)
            && !self.second_factor;
        Session {
            token_hash,
            principal,
            csrf_token,
            must_change_password: self.must_change_password,
            must_enrol_second_factor,
        }
    }

    fn disabled(&self) -> bool {
        self.person_status.as_deref() == Some(PersonStatus::Disabled.as_str())
            || self.department_disabled
    }

    fn principal(&self, granted: Vec<Role>) -> Principal {
        let mut roles = granted;
        match self.kind.as_str() {
            "secretary" => roles.push(Role::Secretary),
            "enterprise" => roles.push(Role::EnterpriseUser),
            _ => {}
        }
        if self.is_admin == Some(true) {
            roles.push(Role::DepartmentAdmin);
        }
        if self.is_officer == Some(true) && !self.disabled() {
            roles.push(Role::Inspector);
        }
        roles.sort_by_key(|r| Role::ALL.iter().position(|x| x == r));
        roles.dedup();
        let display_name = match (&self.person_name, &self.department_name) {
            (Some(name), _) => name.clone(),
            (None, Some(dept)) if self.kind == "secretary" => format!("{dept}文秘"),
            _ => self.login.clone(),
        };
        Principal {
            account_id: self.id,
            login: self.login.clone(),
            display_name,
            person_id: self.person_id,
            unit_id: self.unit_id,
            department_id: self.department_id,
            unit_name: self.unit_name.clone(),
            unit_level: self.unit_level.as_deref().and_then(UnitLevel::parse),
            unit_region_code: self.unit_region_code.clone(),
            unit_sector: self.unit_sector.as_deref().and_then(Sector::parse),
            department_name: self.department_name.clone(),
            roles,
        }
    }
}

async fn granted_roles(e: &mut impl Exec, account_id: i64) -> StoreResult<Vec<Role>> {
    let rows = e
        .fetch_all(
            "SELECT role FROM role_grants WHERE account_id = $1",
            args![account_id],
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.get::<String>("role").ok())
        .filter_map(|r| Role::parse(&r))
        .collect())
}

pub async fn principal_by_login(e: &mut impl Exec, login: &str) -> StoreResult<Option<Principal>> {
    let Some(row) = e
        .fetch_optional(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a {ACCOUNT_JOINS} WHERE a.login = $1"),
            args![login],
        )
        .await?
    else {
        return Ok(None);
    };
    let account = account_from_row(&row)?;
    let roles = granted_roles(e, account.id).await?;
    Ok(Some(account.principal(roles)))
}

/// A login attempt, kept for the lockout counts (`login_attempts`) and in
/// the audit chain (AUDIT-2: logins and failed logins are in the log),
/// committed together.
async fn record_attempt(
    db: &Db,
    login: &str,
    account_id: Option<i64>,
    ip: &str,
    success: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO login_attempts (login, ip, success, at) VALUES ($1, $2, $3, $4)",
        args![login, ip, success, now],
    )
    .await?;
    // A failure is the system's observation, not the account's act: whoever
    // typed the password may not be its holder. Unknown names are entries
    // about the name, as for locks.
    let (actor, action) = match (success, account_id) {
        (true, Some(id)) => (
            Actor {
                account_id: Some(id),
                login: login.to_string(),
            },
            "account.login",
        ),
        _ => (Actor::system(), "account.login_failed"),
    };
    let (entity, entity_id) = match account_id {
        Some(id) => ("account", id.to_string()),
        None => ("login", login.to_string()),
    };
    audit::record(
        &mut tx,
        now,
        &actor,
        Change::<(), _> {
            action,
            entity,
            entity_id,
            before: None,
            after: Some(&serde_json::json!({"login": login, "ip": ip})),
        },
    )
    .await?;
    tx.commit().await
}

/// What a login of an unknown name is verified against: an Argon2id hash
/// string with the parameters of `Argon2::default()` (a unit test keeps them
/// those of real hashes) and made-up output that no password matches. The
/// same work as for a real account, so timing does not tell which logins
/// exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$eWljaWR1bW15c2FsdDE5$Ql8+IRsMP7Jm2uDL2X+5d0b/IIZxL8bS4m0fqYdrm5U";

/// Longest login name whose failures are tracked as typed; longer ones
/// (never an account: mobiles, USCCs and secretary logins are short) are
/// tracked by their first characters, so junk names stay small rows.
const TRACKED_LOGIN_CHARS: usize = 64;

/// The lock of a login name, live or expired.
async fn lock_of(mut db: &Db, login: &str) -> StoreResult<Option<DateTime<Utc>>> {
    db.fetch_optional(
        "SELECT locked_until FROM login_locks WHERE login = $1",
        args![login],
    )
    .await?
    .map(|r| r.get("locked_until"))
    .transpose()
}

/// Locks a login name, known or not, and records it in the audit trail.
async fn lock(
    db: &Db,
    now: DateTime<Utc>,
    login: &str,
    account_id: Option<i64>,
    until: DateTime<Utc>,
    failures: i64,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    tx.execute(
        "INSERT INTO login_locks (login, locked_until, failures) VALUES ($1, $2, $3)
         ON CONFLICT (login) DO UPDATE SET locked_until = excluded.locked_until,
                                           failures = excluded.failures",
        args![login, until, failures],
    )
    .await?;
    // Unknown names are audited as well: the same work either way, and a
    // record of someone guessing logins.
    let (entity, entity_id) = match account_id {
        Some(id) => ("account", id.to_string()),
        None => ("login", login.to_string()),
    };
    audit::record(
        &mut tx,
        now,
        &Actor::system(),
        Change::<(), _> {
            action: "account.lock",
            entity,
            entity_id,
            before: None,
            after: Some(
                &serde_json::json!({"login": login, "locked_until": until, "failures": failures}),
            ),
        },
    )
    .await?;
    tx.commit().await
}

fn locked(until: DateTime<Utc>) -> DomainError {
    DomainError::new(
        ErrorKind::Locked,
        "account_locked",
        format!(
            "账号因连续登录失败已被锁定，请于{}后再试",
            time::display(until)
        ),
    )
}

/// What a correct password leads to.
#[derive(Debug)]
pub enum LoginOutcome {
    /// A session is open.
    Opened(Box<NewSession>),
    /// The account has a second factor: the page login continues at
    /// `/login/verify` with this token (shown once, only its hash stored),
    /// good for [`AuthPolicy::second_step_for`].
    SecondStep { token: String },
}

/// The refusal of a second factor at login, with the attempts left.
fn second_factor_refused(refusal: Refusal, left: i64, lock_minutes: i64) -> DomainError {
    let what = match refusal {
        Refusal::Replayed => "该动态口令已使用过，请等待下一个口令",
        Refusal::Malformed | Refusal::Wrong => "动态口令或恢复码不正确",
    };
    DomainError::new(
        ErrorKind::Unauthenticated,
        "invalid_second_factor",
        format!("{what}（再错{left}次将锁定账号{lock_minutes}分钟）"),
    )
    .on("otp")
}

/// Refuses an address with too many failures, or a locked name; otherwise
/// returns the name's last lock (live or not), from which failures count.
async fn admit(
    db: &Db,
    policy: &AuthPolicy,
    now: DateTime<Utc>,
    tracked: &str,
    ip: &str,
) -> StoreResult<Option<DateTime<Utc>>> {
    let mut e = db;
    let ip_failures = e
        .scalar_i64(
            "SELECT COUNT(*) FROM login_attempts WHERE ip = $1 AND success = FALSE AND at > $2",
            args![ip, now - policy.failure_window],
        )
        .await?;
    if ip_failures >= policy.max_failures_per_ip {
        return Err(DomainError::new(
            ErrorKind::RateLimited,
            "too_many_attempts",
            format!(
                "该地址登录失败次数过多，请{}分钟后再试",
                policy.failure_window.num_minutes()
            ),
        )
        .into());
    }
    let last_lock = lock_of(db, tracked).await?;
    if let Some(until) = last_lock.filter(|u| *u > now) {
        return Err(locked(until).into());
    }
    Ok(last_lock)
}

/// Records a failed attempt (a wrong password, or a wrong second factor: one
/// count, one lock, SEC-2) and answers it: locked once the failures reach
/// the limit, else `refusal` with the attempts left.
#[allow(clippy::too_many_arguments)]
async fn fail(
    db: &Db,
    policy: &AuthPolicy,
    now: DateTime<Utc>,
    tracked: &str,
    ip: &str,
    last_lock: Option<DateTime<Utc>>,
    account_id: Option<i64>,
    refusal: impl FnOnce(i64) -> DomainError,
) -> StoreError {
    let answer = async {
        record_attempt(db, tracked, account_id, ip, false, now).await?;
        // Failures count from the window start or the end of the last
        // lock, whichever is later, so an expired lock starts afresh.
        let since = last_lock.map_or(now - policy.failure_window, |u| {
            u.max(now - policy.failure_window)
        });
        let mut e = db;
        let failures = e
            .scalar_i64(
                "SELECT COUNT(*) FROM login_attempts WHERE login = $1 AND success = FALSE AND at > $2",
                args![tracked, since],
            )
            .await?;
        if failures >= policy.max_failures {
            let until = now + policy.lock_for;
            lock(db, now, tracked, account_id, until, failures).await?;
            if let Some(id) = account_id {
                // A pending second step ends with the lock.
                e.execute(
                    "DELETE FROM pending_logins WHERE account_id = $1",
                    args![id],
                )
                .await?;
            }
            return Ok::<_, StoreError>(DomainError::new(
                ErrorKind::Locked,
                "account_locked",
                format!(
                    "连续{failures}次登录验证失败，账号已锁定至{}",
                    time::display(until)
                ),
            ));
        }
        Ok(refusal(policy.max_failures - failures))
    };
    match answer.await {
        Ok(refusal) => refusal.into(),
        Err(e) => e,
    }
}

/// Checks a login and opens a session — or, for an account with a second
/// factor, asks for it. Every refusal says why in Chinese, and says the same
/// for a login name that has no account as for one that has (SEC-2):
/// failures are counted and locks kept per login name, and an unknown name
/// is verified against [`DUMMY_HASH`].
///
/// `otp` is the code sent with the password (the API). Without it, an
/// account with a second factor gets [`LoginOutcome::SecondStep`] on the
/// pages and `second_factor_required` on the API. A wrong code is a failed
/// login like a wrong password.
#[allow(clippy::too_many_arguments)]
pub async fn login(
    db: &Db,
    policy: &AuthPolicy,
    now: DateTime<Utc>,
    login: &str,
    password: &str,
    otp: Option<&str>,
    ip: &str,
    kind: SessionKind,
) -> StoreResult<LoginOutcome> {
    let login = login.trim();
    if login.is_empty() {
        return Err(DomainError::required("login", "账号").into());
    }
    // Enterprise accounts log in by their USCC (APP-7), however it is typed.
    let uscc = yici_domain::registry::uscc::Uscc::parse_lenient(login)
        .ok()
        .map(|(u, _)| u);
    let login = uscc.as_ref().map_or(login, |u| u.as_str());
    if password.is_empty() {
        return Err(DomainError::required("password", "密码").into());
    }
    let tracked: String = login.chars().take(TRACKED_LOGIN_CHARS).collect();
    let last_lock = admit(db, policy, now, &tracked, ip).await?;
    let mut e = db;
    let account = e
        .fetch_optional(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a {ACCOUNT_JOINS} WHERE a.login = $1"),
            args![login],
        )
        .await?
        .map(|row| account_from_row(&row))
        .transpose()?;
    let hash = account
        .as_ref()
        .map_or(DUMMY_HASH, |a| a.password_hash.as_str());
    let verified = verify_password(password.to_string(), hash.to_string()).await;
    let account = match account {
        Some(account) if verified => account,
        account => {
            let lock_minutes = policy.lock_for.num_minutes();
            return Err(fail(
                db,
                policy,
                now,
                &tracked,
                ip,
                last_lock,
                account.map(|a| a.id),
                |left| {
                    DomainError::new(
                        ErrorKind::Unauthenticated,
                        "invalid_credentials",
                        format!("账号或密码错误（再错{left}次将锁定账号{lock_minutes}分钟）"),
                    )
                    .on("password")
                },
            )
            .await);
        }
    };
    refuse_disabled(db, now, &account, ip).await?;
    if account.second_factor {
        match (otp.map(str::trim).filter(|o| !o.is_empty()), kind) {
            (Some(code), _) => {
                check_second_factor(db, policy, now, &account, &tracked, ip, last_lock, code)
                    .await?
            }
            (None, SessionKind::Web) => {
                let token = random_token();
                e.execute(
                    "INSERT INTO pending_logins (token_hash, account_id, ip, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5)",
                    args![
                        token_hash(&token),
                        account.id,
                        ip,
                        now,
                        now + policy.second_step_for
                    ],
                )
                .await?;
                return Ok(LoginOutcome::SecondStep { token });
            }
            (None, SessionKind::Api) => return Err(DomainError::new(
                ErrorKind::Unauthenticated,
                "second_factor_required",
                "该账号已启用两步验证：请在 otp 中附上验证器App显示的6位动态口令（或一个恢复码）",
            )
            .on("otp")
            .into()),
        }
    }
    open_session(db, policy, now, &account, ip, kind)
        .await
        .map(|new| LoginOutcome::Opened(Box::new(new)))
}

/// A disabled account is refused even with the right password, and the
/// refusal is in the chain as a failed login.
async fn refuse_disabled(
    db: &Db,
    now: DateTime<Utc>,
    account: &AccountRow,
    ip: &str,
) -> StoreResult<()> {
    if account.disabled() {
        record_attempt(db, &account.login, Some(account.id), ip, false, now).await?;
        return Err(DomainError::new(
            ErrorKind::Forbidden,
            "account_disabled",
            "账号已停用，请联系本处室管理员",
        )
        .into());
    }
    Ok(())
}

/// The second factor of an account whose password was right; a refusal
/// counts toward the name's lock.
#[allow(clippy::too_many_arguments)]
async fn check_second_factor(
    db: &Db,
    policy: &AuthPolicy,
    now: DateTime<Utc>,
    account: &AccountRow,
    tracked: &str,
    ip: &str,
    last_lock: Option<DateTime<Utc>>,
    code: &str,
) -> StoreResult<()> {
    match second_factor::verify_at_login(db, now, account.id, &account.login, code).await? {
        Ok(()) => Ok(()),
        Err(refusal) => {
            let lock_minutes = policy.lock_for.num_minutes();
            Err(fail(
                db,
                policy,
                now,
                tracked,
                ip,
                last_lock,
                Some(account.id),
                |left| second_factor_refused(refusal, left, lock_minutes),
            )
            .await)
        }
    }
}

/// The page login's second step: the pending token from the first step and
/// a code (or a recovery code). The token stays good for another try until
/// it expires or the name is locked; it is spent on success.
pub async fn complete_login(
    db: &Db,
    policy: &AuthPolicy,
    now: DateTime<Utc>,
    pending_token: &str,
    code: &str,
    ip: &str,
) -> StoreResult<NewSession> {
    let mut e = db;
    let pending_hash = token_hash(pending_token);
    let expired = || {
        DomainError::new(
            ErrorKind::Unauthenticated,
            "second_step_expired",
            "登录验证已超时，请重新输入账号和密码",
        )
    };
    let Some(row) = e
        .fetch_optional(
            &format!(
                "SELECT {ACCOUNT_COLUMNS} FROM pending_logins pl
                   JOIN accounts a ON a.id = pl.account_id {ACCOUNT_JOINS}
                  WHERE pl.token_hash = $1 AND pl.expires_at > $2"
            ),
            args![&pending_hash, now],
        )
        .await?
    else {
        return Err(expired().into());
    };
    let account = account_from_row(&row)?;
    if code.trim().is_empty() {
        return Err(DomainError::required("otp", "动态口令").into());
    }
    let tracked: String = account.login.chars().take(TRACKED_LOGIN_CHARS).collect();
    let last_lock = admit(db, policy, now, &tracked, ip).await?;
    refuse_disabled(db, now, &account, ip).await?;
    if !account.second_factor {
        // Switched off meanwhile (from another session): the password
        // step is all there is now, and it was passed.
        tracing::info!(
            account = account.id,
            "second factor gone during the second step"
        );
    } else {
        check_second_factor(db, policy, now, &account, &tracked, ip, last_lock, code).await?;
    }
    // Spent: the same token cannot open a second session.
    let spent = e
        .execute(
            "DELETE FROM pending_logins WHERE token_hash = $1",
            args![&pending_hash],
        )
        .await?;
    if spent == 0 {
        return Err(expired().into());
    }
    open_session(db, policy, now, &account, ip, SessionKind::Web).await
}

/// Whether a pending second step is still live (the page shows its form).
pub async fn second_step_pending(
    mut db: &Db,
    now: DateTime<Utc>,
    pending_token: &str,
) -> StoreResult<bool> {
    Ok(db
        .fetch_optional(
            "SELECT account_id FROM pending_logins WHERE token_hash = $1 AND expires_at > $2",
            args![token_hash(pending_token), now],
        )
        .await?
        .is_some())
}

/// Records the successful login and opens the session.
async fn open_session(
    mut db: &Db,
    policy: &AuthPolicy,
    now: DateTime<Utc>,
    account: &AccountRow,
    ip: &str,
    kind: SessionKind,
) -> StoreResult<NewSession> {
    record_attempt(db, &account.login, Some(account.id), ip, true, now).await?;
    let token = random_token();
    let csrf_token = random_token();
    let token_hash = token_hash(&token);
    db.execute(
        "INSERT INTO sessions (token_hash, account_id, kind, csrf_token, ip, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
        args![
            &token_hash,
            account.id,
            kind.as_str(),
            &csrf_token,
            ip,
            now,
            now + policy.absolute_timeout
        ],
    )
    .await?;
    let roles = granted_roles(&mut db, account.id).await?;
    Ok(NewSession {
        token,
        session: account.session(policy, roles, token_hash, csrf_token),
    })
}

/// The live session of a token, or `None` when unknown, idle too long, past
/// its absolute end, its person has been disabled, or it was opened for the
/// other channel: a page login's cookie is no bearer token and an API token no
/// cookie (SEC-3), so a token that leaks from one cannot be replayed in the
/// other — the cookie is HttpOnly and CSRF-bound, the bearer token neither.
pub async fn session(
    mut db: &Db,
    policy: &AuthPolicy,
    now: DateTime<Utc>,
    token: &str,
    kind: SessionKind,
) -> StoreResult<Option<Session>> {
    let hash = token_hash(token);
    // The session and its account in one query: this runs on every request.
    let Some(row) = db
        .fetch_optional(
            &format!(
                "SELECT s.csrf_token, s.last_seen_at, s.expires_at, {ACCOUNT_COLUMNS}
                   FROM sessions s JOIN accounts a ON a.id = s.account_id {ACCOUNT_JOINS}
                  WHERE s.token_hash = $1 AND s.kind = $2"
            ),
            args![&hash, kind.as_str()],
        )
        .await?
    else {
        return Ok(None);
    };
    let last_seen: DateTime<Utc> = row.get("last_seen_at")?;
    let expires: DateTime<Utc> = row.get("expires_at")?;
    if now >= expires || now - last_seen > policy.idle_timeout {
        db.execute("DELETE FROM sessions WHERE token_hash = $1", args![&hash])
            .await?;
        return Ok(None);
    }
    let account = account_from_row(&row)?;
    let account_id = account.id;
    if account.disabled() {
        db.execute(
            "DELETE FROM sessions WHERE account_id = $1",
            args![account_id],
        )
        .await?;
        return Ok(None);
    }
    // Touch at most once a minute: idle detection needs no finer grain, and it
    // spares a write on every request.
    if now - last_seen > Duration::seconds(60) {
        db.execute(
            "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1",
            args![&hash, now],
        )
        .await?;
    }
    let roles = granted_roles(&mut db, account_id).await?;
    Ok(Some(account.session(
        policy,
        roles,
        hash,
        row.get("csrf_token")?,
    )))
}

/// Ends a session on the server.
pub async fn logout(mut db: &Db, token_hash: &str) -> StoreResult<()> {
    db.execute(
        "DELETE FROM sessions WHERE token_hash = $1",
        args![token_hash],
    )
    .await?;
    Ok(())
}

/// Changes an account's password (ORG-4): the old one must be right, the new
/// one strong and not one of the recent ones. Other sessions of the account end.
pub async fn change_password(
    mut db: &Db,
    policy: &AuthPolicy,
    now: DateTime<Utc>,
    session: &Session,
    old: &str,
    new: &str,
    repeat: &str,
) -> StoreResult<()> {
    if old.is_empty() {
        return Err(DomainError::required("old_password", "旧密码").into());
    }
    password::check_strength(new, "new_password")?;
    if new != repeat {
        return Err(
            DomainError::field("repeat_password", "mismatch", "两次输入的新密码不一致").into(),
        );
    }
    let account_id = session.principal.account_id;
    let current: String = db
        .fetch_one(
            "SELECT password_hash FROM accounts WHERE id = $1",
            args![account_id],
        )
        .await?
        .get("password_hash")?;
    if !verify_password(old.to_string(), current).await {
        return Err(DomainError::field("old_password", "wrong_password", "旧密码不正确").into());
    }
    let recent: Vec<String> = db
        .fetch_all(
            "SELECT password_hash FROM password_history WHERE account_id = $1
             ORDER BY created_at DESC, id DESC LIMIT $2",
            args![account_id, policy.history],
        )
        .await?
        .iter()
        .map(|r| r.get::<String>("password_hash"))
        .collect::<StoreResult<_>>()?;
    for hash in recent {
        if verify_password(new.to_string(), hash).await {
            return Err(DomainError::field(
                "new_password",
                "reused_password",
                format!("新密码不能与最近{}次使用过的密码相同", policy.history),
            )
            .into());
        }
    }
    let new_hash = hash_password(new.to_string()).await?;
    let mut tx = db.begin().await?;
    tx.execute(
        "UPDATE accounts SET password_hash = $2, must_change_password = FALSE,
                password_changed_at = $3, locked_until = NULL
          WHERE id = $1",
        args![account_id, &new_hash, now],
    )
    .await?;
    // A new password also ends a lock of the login (SEC-2 keeps locks by
    // name). The lock's end moves to now rather than the row going: failures
    // count from a lock's end, and without the row the failures that caused
    // it would count again and one more would lock the login at once.
    tx.execute(
        "UPDATE login_locks SET locked_until = $2 WHERE login = $1 AND locked_until > $2",
        args![&session.principal.login, now],
    )
    .await?;
    remember_password(&mut tx, account_id, &new_hash, now).await?;
    tx.execute(
        "DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2",
        args![account_id, &session.token_hash],
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &Actor::from(&session.principal),
        Change::<(), _> {
            action: "account.change_password",
            entity: "account",
            entity_id: account_id.to_string(),
            before: None,
            after: Some(
                &serde_json::json!({"login": session.principal.login, "password_changed_at": now}),
            ),
        },
    )
    .await?;
    tx.commit().await
}

/// An account to open: a secretary's, a person's or the system's.
pub struct NewAccount<'a> {
    pub login: &'a str,
    /// `secretary`, `person`, `system` or `enterprise`.
    pub kind: &'static str,
    pub person_id: Option<i64>,
    pub department_id: Option<i64>,
    pub unit_id: Option<i64>,
}

/// Opens an account on an (initial) password that must be changed at first
/// login, and remembers that password so it can't be chosen again.
pub async fn open_account(
    tx: &mut Tx,
    now: DateTime<Utc>,
    account: NewAccount<'_>,
    password_hash: &str,
) -> StoreResult<i64> {
    let id = tx
        .scalar_i64(
            "INSERT INTO accounts (login, kind, person_id, department_id, unit_id, password_hash,
                                   must_change_password, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7) RETURNING id",
            args![
                account.login,
                account.kind,
                account.person_id,
                account.department_id,
                account.unit_id,
                password_hash,
                now
            ],
        )
        .await?;
    remember_password(tx, id, password_hash, now).await?;
    Ok(id)
}

pub(crate) async fn remember_password(
    tx: &mut Tx,
    account_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO password_history (account_id, password_hash, created_at) VALUES ($1, $2, $3)",
        args![account_id, hash, now],
    )
    .await?;
    Ok(())
}

/// Grants a role that is not derived from the account (承办机构负责人, 行政执法主体负责人, 办公室, 系统管理员).
pub async fn grant_role(
    tx: &mut Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    account_id: i64,
    role: Role,
) -> StoreResult<()> {
    if !Role::GRANTABLE.contains(&role) {
        return Err(DomainError::field(
            "role",
            "not_grantable",
            format!("“{}”不能直接授予", role.label()),
        )
        .into());
    }
    tx.execute(
        "INSERT INTO role_grants (account_id, role, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id, role) DO NOTHING",
        args![account_id, role.as_str(), now],
    )
    .await?;
    audit::record(
        tx,
        now,
        actor,
        Change::<(), _> {
            action: "account.grant_role",
            entity: "account",
            entity_id: account_id.to_string(),
            before: None,
            after: Some(&serde_json::json!({"role": role.as_str()})),
        },
    )
    .await?;
    Ok(())
}

/// Creates the system administrator account (`admin`) if it does not exist.
pub async fn ensure_system_admin(
    tx: &mut Tx,
    now: DateTime<Utc>,
    password_hash: &str,
) -> StoreResult<i64> {
    if let Some(row) = tx
        .fetch_optional("SELECT id FROM accounts WHERE login = 'admin'", vec![])
        .await?
    {
        return row.get("id");
    }
    let id = open_account(
        tx,
        now,
        NewAccount {
            login: "admin",
            kind: "system",
            person_id: None,
            department_id: None,
            unit_id: None,
        },
        password_hash,
    )
    .await?;
    grant_role(tx, now, &Actor::system(), id, Role::SystemAdmin).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Verifying against the dummy costs what verifying a real hash costs:
    /// same algorithm, version and parameters as a hash made now.
    #[test]
    fn the_dummy_hash_has_the_parameters_of_real_ones() {
        let dummy = PasswordHash::new(DUMMY_HASH).expect("a PHC string");
        let real_hash = hash_password_blocking("Jcbm@12369").unwrap();
        let real = PasswordHash::new(&real_hash).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert_eq!(
            dummy.hash.map(|h| h.len()),
            real.hash.map(|h| h.len()),
            "output length"
        );
        assert!(!verify_blocking("Jcbm@12369", DUMMY_HASH));
    }
}
