//! 双随机任务 (manual 3.2.1–3.2.3), one module per screen, found by its URL:
//!
//! * `/tasks` → [`list`]: the task list with its filters;
//! * `/tasks/directed`, `/tasks/random`, `/tasks/random/confirm` →
//!   [`extract`]: 定向抽取 (DRAW-2, DRAW-6) and 非定向抽取 (DRAW-3) with its
//!   确认 step;
//! * `/draws/{id}`, `/public/draws/{id}` → [`draw_record`]: a draw's record
//!   and its public page (no login);
//! * `/tasks/{id}` with `/inspectors`, `/cancel`, `/recusals` → [`task`]: one
//!   task, its inspectors, cancellation and 回避;
//! * `/tasks/settings` → [`settings`]: the 设置 dialog (JOINT-1) for one
//!   task or several ticked on the list (批量设置);
//! * `/tasks/{id}/participation`, `/partners` → [`joint`]: the
//!   joint-inspection forms of the task page (JOINT-3, JOINT-6);
//! * `/tasks/{id}/documents`, `/tasks/{id}/procedure` → [`documents_panel`]:
//!   the 检查文书 panel of the task page (DOC-2…DOC-7);
//! * [`results_panel`]: the read-only 检查结果 panel of the task page.
//!
//! View helpers several of these screens share are in [`view`]. Every page
//! calls the same store functions, with the same checks, as the API in
//! `api/draws.rs`.

pub mod documents_panel;
pub mod draw_record;
pub mod extract;
pub mod joint;
pub mod list;
pub mod results_panel;
pub mod settings;
pub mod task;
pub(crate) mod view;
