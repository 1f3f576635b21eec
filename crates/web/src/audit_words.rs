//! The audit log in words (issue 26 item 7: no codes where people read):
//! what each action, kind of record and field is called, and a one-line
//! summary of an entry for the 审计日志 page. The codes stay in the log —
//! they are what the hash chain covers — and show only on hover.

use serde_json::Value;
use yici_domain::audit::diff::diff;
use yici_domain::audit::seal::SealFinding;
use yici_domain::audit::Finding;
use yici_domain::documents::workflow::Action;

/// An action in words, e.g. `account.grant_role` → 授予角色. Every action the
/// platform writes has its words; an unknown one (from a later version)
/// reads by its kind of record, never as its code.
pub fn action_label(action: &str) -> String {
    let exact = match action {
        "person.create" => "新增人员",
        "person.update" => "修改人员信息",
        "person.demote_admin" => "取消管理员（已设新管理员）",
        "account.grant_role" => "授予角色",
        "account.revoke_role" => "撤销角色",
        "account.unlock" => "解除锁定",
        "account.reset_password" => "重置密码",
        "account.change_password" => "修改密码",
        "account.login" => "登录",
        "account.login_failed" => "登录失败",
        "account.lock" => "账号锁定",
        "account.enterprise_sign_up" => "企业账号注册",
        "unit.create" => "新增单位",
        "unit.update" => "修改单位",
        "unit.joint_invitations" => "联合检查邀请办公室设置",
        "department.create" => "新增处室",
        "department.update" => "修改处室",
        "enterprise.installations.add" => "新增排口和设施",
        "enterprise.sign_up_code" => "发送企业注册验证码",
        "enterprise.activation_request" => "企业申请开通账号",
        "enterprise.activation_decision" => "处理企业开通申请",
        "draw.enterprises" => "随机抽取企业",
        "task.create" => "生成检查任务",
        "task.settings" => "任务设置",
        "task.cancel" => "取消任务",
        "task.draw_inspectors" => "随机抽取检查人员",
        "task.invite_partner" => "邀请其他部门",
        "task.participation" => "参与确认",
        "task.participation_lapsed" => "逾期未确认（视为不参与）",
        "task.procedure" => "登记检查程序",
        "task.check_in" => "扫码核验",
        "task.result" => "提交检查结果",
        "task.result_corrected" => "更正检查结果",
        "task.completed" => "任务办结",
        "evidence.upload" => "上传影像资料",
        "recusal.declare" => "申请回避",
        "result.published" => "检查结果公开",
        "inspection.rated" => "检查评价",
        "credit.set" => "设定信用等级",
        "credit.confirm" => "确认信用评价建议",
        "credit.reject" => "不采纳信用评价建议",
        "rectification.raised" => "产生整改事项",
        "rectification.issue" => "下发整改通知",
        "rectification.edit" => "修改整改事项",
        "rectification.report" => "企业报送整改情况",
        "rectification.verify" => "整改核查",
        "rectification.revisit" => "整改复查",
        "rectification.followed" => "整改跟踪",
        "rectification.refer" | "rectification.referral" => "移交处罚",
        "rectification.withdrawn" => "撤回整改事项",
        "warning.raise" => "产生监督预警",
        "warning.close" => "处理监督预警",
        "document.draft" => "起草文书",
        "document.edit" => "修改文书",
        "document.number" => "文书编号盖章",
        "document.pattern" => "设置文号格式",
        "second_factor.start" => "开始设置两步验证",
        "second_factor.confirm" => "启用两步验证",
        "second_factor.disable" => "停用两步验证",
        "second_factor.regenerate_recovery_codes" => "重新生成恢复码",
        "second_factor.use_recovery_code" => "使用恢复码登录",
        _ => "",
    };
    if !exact.is_empty() {
        return exact.to_string();
    }
    let (kind, verb) = action.split_once('.').unwrap_or((action, ""));
    // Actions named after a domain enumeration read by its labels.
    match kind {
        "document" => {
            if let Some(step) = yici_domain::documents::workflow::Action::parse(verb) {
                return match step {
                    Action::SignAsDepartmentHead | Action::ApproveAsUnitHead => {
                        step.label().to_string()
                    }
                    _ => format!("文书{}", step.label()),
                };
            }
        }
        "enterprise" => {
            if let Some(edit) = yici_domain::registry::history::EditAction::parse(verb) {
                return edit.label().to_string();
            }
        }
        _ => {}
    }
    let verb = match verb {
        v if v.ends_with("create") || v.ends_with("add") => "新增",
        v if v.ends_with("update") || v.ends_with("edit") => "修改",
        v if v.ends_with("remove") || v.ends_with("delete") => "删除",
        _ => "办理",
    };
    format!("{}{verb}", entity_label(kind))
}

/// A kind of record in words, e.g. `plan_row` → 抽查计划.
pub fn entity_label(entity: &str) -> &'static str {
    match entity {
        "account" => "账号",
        "person" => "人员",
        "unit" => "单位",
        "department" => "处室",
        "enterprise" => "企业",
        "draw" => "抽取记录",
        "task" => "检查任务",
        "task_result" => "检查结果",
        "evidence" => "影像资料",
        "document" => "文书",
        "plan_item" => "检查事项",
        "plan_row" => "抽查计划",
        "rectification" => "整改事项",
        "warning" => "监督预警",
        "credit" | "credit_proposal" => "信用评价",
        "result" | "published_result" => "公开结果",
        "inspection" | "rating" => "检查评价",
        "recusal" => "回避",
        "second_factor" => "两步验证",
        _ => "记录",
    }
}

/// A field in words, for the fields a reader looks for in any record; the
/// registry's own fields by their import headers. None for the rest (ids,
/// hashes, bookkeeping), which a summary leaves out.
pub fn field_label(entity: &str, field: &str) -> Option<&'static str> {
    let label = match field {
        "name" if entity == "person" => "姓名",
        "name" => "名称",
        "short_name" => "简称",
        "gender" => "性别",
        "is_officer" => "是否执法人员",
        "certificate_no" => "执法证号",
        "certificate_valid_until" => "执法证有效期至",
        "mobile" => "移动电话",
        "office_phone" => "办公电话",
        "status" => "状态",
        "is_admin" => "是否管理员",
        "department_name" => "处室",
        "unit_name" => "单位",
        "level" => "层级",
        "sector" => "所属系统",
        "region_code" => "行政区划代码",
        "account_prefix" => "文秘账号前缀",
        "kind" => "类型",
        "business_line" => "业务条线",
        "secretary_login" => "文秘账号",
        "joint_invites_general" => "联合检查邀请办公室",
        "disabled_at" => "停用时间",
        "created_at" => "创建时间",
        "granted_roles" => "授予的角色",
        "role" => "角色",
        "locked_until" => "锁定至",
        "must_change_password" => "下次登录须修改密码",
        "password_changed_at" => "密码修改时间",
        "login" => "账号",
        "ip" => "登录地址",
        "failures" => "失败次数",
        "enterprise_name" => "企业",
        "inspectors" => "检查人员",
        "participants" => "参与处室",
        "joint" => "联合检查",
        "inspected_on" => "检查日期",
        "planned_on" => "计划检查日期",
        "capped" => "计入频次",
        "frequency_note" => "频次说明",
        "cancel_reason" => "取消原因",
        "items" => "检查事项",
        "problems" | "problem_description" => "问题",
        "outcome" => "检查结论",
        "due_on" => "期限",
        "detail" => "内容",
        "note" => "说明",
        "reason" => "理由",
        "decision" => "决定",
        "grade" | "credit_grade" => "信用等级",
        "score" => "分数",
        "number_text" => "文号",
        "count" => "数量",
        "candidate_count" => "候选企业数",
        "year" => "年度",
        _ if entity == "enterprise" => return yici_interchange::header_for_field(field),
        _ => return None,
    };
    Some(label)
}

/// What an entry was about in a line: the record's name, and for a change
/// the fields it changed (at most six named, the rest counted).
pub fn summary(entity: &str, before: &str, after: &str) -> String {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let (old, new) = (parse(before), parse(after));
    let name = [
        "enterprise_name",
        "name",
        "login",
        "department_name",
        "detail",
    ]
    .iter()
    .find_map(|k| {
        new.get(k)
            .or_else(|| old.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    })
    .unwrap_or_default()
    .to_string();
    if old.is_null() || new.is_null() {
        return name;
    }
    let mut named = Vec::new();
    let mut others = 0;
    for c in diff(before, after) {
        match field_label(entity, &c.field) {
            Some(label) if named.len() < 6 => named.push(label),
            Some(_) => others += 1,
            // Bookkeeping fields (ids, times kept for the chain) change
            // with every edit; they are not what a reader looks for.
            None => {}
        }
    }
    let mut changed = named.join("、");
    if others > 0 {
        changed.push_str(&format!("等{}项", named.len() + others));
    }
    match (name.is_empty(), changed.is_empty()) {
        (_, true) => name,
        (true, false) => format!("变更：{changed}"),
        (false, false) => format!("{name}（变更：{changed}）"),
    }
}

/// A finding of the chain's verification, as the 审计日志 page says it (the
/// `yici audit verify` command prints the same in English for operators).
pub fn chain_finding(f: &Finding) -> String {
    match f {
        Finding::Gap { expected, found } => {
            format!("第{expected}条记录缺失（下一条为第{found}条）：记录被删除或顺序被改动")
        }
        Finding::BrokenLink { seq } => {
            format!("第{seq}条记录与前一条的哈希链接不符：哈希链断裂")
        }
        Finding::Altered { seq } => format!("第{seq}条记录的内容与其哈希不符：记录被篡改"),
        Finding::HeadMismatch { head_seq, last_seq } => {
            format!("链头记载共{head_seq}条记录，而日志止于第{last_seq}条：末尾的记录被删除")
        }
    }
}

/// A finding of the seals' check, in words.
pub fn seal_finding(f: &SealFinding) -> String {
    match f {
        SealFinding::Forged { no } => format!("第{no}次封存的校验码与密钥不符：封存被伪造或改动"),
        SealFinding::Unlinked { no } => {
            format!("第{no}次封存未接续前一次封存：有封存被删除或替换")
        }
        SealFinding::SealedEntryMissing { no, seq } => {
            format!("第{no}次封存覆盖的第{seq}条记录已不存在：记录被删除（末尾被截断）")
        }
        SealFinding::SealedEntryDiffers { no, seq } => {
            format!("第{no}次封存覆盖的第{seq}条记录哈希已变：哈希链被重写")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_in_words() {
        assert_eq!(action_label("account.grant_role"), "授予角色");
        assert_eq!(
            action_label("document.approve_unit_head"),
            "行政执法主体负责人批准"
        );
        assert_eq!(action_label("document.serve"), "文书送达");
        assert_eq!(action_label("enterprise.outlet_remove"), "删除排口");
        assert_eq!(action_label("plan_row.create"), "抽查计划新增");
        assert_eq!(action_label("enterprise.outlet.remove"), "企业删除");
        assert_eq!(action_label("something.new"), "记录办理");
        for action in ["task.result", "warning.raise", "result.published"] {
            assert!(!action_label(action).is_ascii(), "{action}");
        }
    }

    #[test]
    fn a_summary_names_the_record_and_what_changed() {
        assert_eq!(
            summary("task", "null", r#"{"enterprise_name":"甲公司","id":3}"#),
            "甲公司"
        );
        assert_eq!(
            summary(
                "task",
                r#"{"enterprise_name":"甲公司","inspectors":[],"id":3,"joint":"pending"}"#,
                r#"{"enterprise_name":"甲公司","inspectors":[1,2],"id":3,"joint":"joint"}"#
            ),
            "甲公司（变更：检查人员、联合检查）"
        );
        assert_eq!(
            summary(
                "enterprise",
                r#"{"name":"乙","address":"一路"}"#,
                r#"{"name":"乙","address":"二路"}"#
            ),
            "乙（变更：地址）"
        );
        assert_eq!(summary("warning", "", ""), "");
    }
}
