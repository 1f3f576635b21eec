//! Who may move a document on, and to where (DOC-4, DOC-5).
//!
//! 审批表: drafted by the handling department, signed by its head
//! (承办机构负责人), approved by the unit's head (行政执法主体负责人) — a
//! different person holding that role, never the department head alone — and
//! then numbered and stamped by the office. Notices and the 情况记录表 are
//! submitted by the handling department, then numbered and stamped by the
//! office (the office sees only what was submitted: a draft is still being
//! written); a notice is then served. The two 笔录
//! are completed by the inspectors. Any document may be voided with a reason;
//! a numbered one keeps its number, marked 作废.

use super::kind::DocumentKind;
use crate::error::{DomainError, DomainResult};
use crate::org::Role;

labelled_enum!(
    /// Where a document is in its workflow.
    DocumentStatus {
        Draft = "draft" / "草稿",
        // A notice or 情况记录表 handed to the office for its number.
        Submitted = "submitted" / "已提交，待编号",
        PendingDepartmentHead = "pending_department_head" / "待承办机构负责人审批",
        PendingUnitHead = "pending_unit_head" / "待行政执法主体负责人审批",
        Approved = "approved" / "已批准，待编号",
        Issued = "issued" / "已编号盖章",
        Served = "served" / "已送达",
        Completed = "completed" / "已完成",
        Void = "void" / "作废",
    }
);

labelled_enum!(
    /// A step someone takes on a document.
    Action {
        Edit = "edit" / "修改",
        // 审批表: to the approvers; notices and the 情况记录表: to the office.
        Submit = "submit" / "提交",
        SignAsDepartmentHead = "sign_department_head" / "承办机构负责人签批",
        ApproveAsUnitHead = "approve_unit_head" / "行政执法主体负责人批准",
        Return = "return" / "退回修改",
        Number = "number" / "编号盖章",
        Serve = "serve" / "送达",
        Complete = "complete" / "完成",
        Void = "void" / "作废",
    }
);

impl Action {
    /// The words of the step on a document of `kind`: 提交 is 提交审批 for
    /// the 审批表 and 提交办公室编号 for what the office numbers unsigned.
    pub fn label_for(self, kind: DocumentKind) -> &'static str {
        match (self, kind) {
            (Action::Submit, DocumentKind::ApprovalForm) => "提交审批",
            (Action::Submit, _) => "提交办公室编号",
            _ => self.label(),
        }
    }

    /// What happened, as a sentence for the page after the step (「已批准」).
    pub fn done_sentence(self, kind: DocumentKind) -> &'static str {
        match (self, kind) {
            (Action::Edit, _) => "文书已保存。",
            (Action::Submit, DocumentKind::ApprovalForm) => "已提交审批，等待承办机构负责人签批。",
            (Action::Submit, _) => "已提交，等待办公室编号盖章。",
            (Action::SignAsDepartmentHead, _) => "已签批，等待行政执法主体负责人批准。",
            (Action::ApproveAsUnitHead, _) => "已批准，等待办公室编号盖章。",
            (Action::Return, _) => "已退回修改。",
            (Action::Number, _) => "已编号盖章。",
            (Action::Serve, _) => "已登记送达。",
            (Action::Complete, _) => "笔录已完成。",
            (Action::Void, _) => "文书已作废。",
        }
    }
}

/// What the acting person is, relative to the document.
#[derive(Debug, Clone)]
pub struct DocumentActor<'a> {
    pub person_id: Option<i64>,
    pub roles: &'a [Role],
    /// The actor belongs to the department that handles the document.
    pub in_handling_department: bool,
    /// The actor belongs to the unit that issues the document.
    pub in_issuing_unit: bool,
}

impl DocumentActor<'_> {
    fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Members of the handling department (officers, its secretary, its administrator).
    fn handles(&self) -> bool {
        self.in_handling_department
            && (self.has(Role::Inspector)
                || self.has(Role::Secretary)
                || self.has(Role::DepartmentAdmin)
                || self.has(Role::DepartmentHead))
    }
}

/// Decide an action: the status it leads to, or why it is refused.
/// `department_head_signer` is who signed as 承办机构负责人 (for the unit
/// head's approval, which must be somebody else).
pub fn decide(
    kind: DocumentKind,
    status: DocumentStatus,
    action: Action,
    actor: &DocumentActor,
    department_head_signer: Option<i64>,
) -> DomainResult<DocumentStatus> {
    use DocumentStatus as S;
    let wrong_state = || {
        DomainError::conflict(
            "wrong_state",
            format!("文书当前为“{}”，不能{}", status.label(), action.label()),
        )
    };
    match action {
        Action::Edit => {
            ensure(actor.handles(), "只有承办处室的人员可以填写文书")?;
            match status {
                S::Draft => Ok(S::Draft),
                _ => Err(wrong_state()),
            }
        }
        Action::Submit => {
            ensure(actor.handles(), "只有承办处室的人员可以提交文书")?;
            match (kind, status) {
                (DocumentKind::ApprovalForm, S::Draft) => Ok(S::PendingDepartmentHead),
                // Numbered without signatures: the office sees it once submitted.
                (_, S::Draft) if kind.is_numbered() => Ok(S::Submitted),
                _ if !kind.is_numbered() => Err(DomainError::conflict(
                    "no_approval",
                    format!("{}不需要提交，由承办处室完成", kind.label()),
                )),
                _ => Err(wrong_state()),
            }
        }
        Action::SignAsDepartmentHead => {
            ensure(
                actor.in_handling_department && actor.has(Role::DepartmentHead),
                "只有承办处室的承办机构负责人可以签批",
            )?;
            match status {
                S::PendingDepartmentHead => Ok(S::PendingUnitHead),
                _ => Err(wrong_state()),
            }
        }
        Action::ApproveAsUnitHead => {
            // 不得仅由内设机构负责人批准: the unit head's role is required, and
            // the person who signed as department head cannot approve too.
            ensure(
                actor.in_issuing_unit && actor.has(Role::UnitHead),
                "审批表须由行政执法主体负责人（主要负责人或分管负责人）批准，不得仅由内设机构负责人批准",
            )?;
            if status != S::PendingUnitHead {
                return Err(wrong_state());
            }
            if actor.person_id.is_some() && actor.person_id == department_head_signer {
                return Err(DomainError::forbidden(
                    "签批的承办机构负责人不能再以行政执法主体负责人身份批准同一审批表",
                ));
            }
            Ok(S::Approved)
        }
        Action::Return => {
            let may = match status {
                S::PendingDepartmentHead => {
                    actor.in_handling_department && actor.has(Role::DepartmentHead)
                }
                S::PendingUnitHead => actor.in_issuing_unit && actor.has(Role::UnitHead),
                // The office sends back a submitted notice it will not number as it is.
                S::Submitted => actor.in_issuing_unit && actor.has(Role::OfficeClerk),
                _ => return Err(wrong_state()),
            };
            ensure(may, "只有当前审批人可以退回")?;
            Ok(S::Draft)
        }
        Action::Number => {
            ensure(
                actor.in_issuing_unit && actor.has(Role::OfficeClerk),
                "只有本单位办公室可以编号盖章",
            )?;
            if !kind.is_numbered() {
                return Err(DomainError::conflict(
                    "not_numbered",
                    format!("{}不编号", kind.label()),
                ));
            }
            match (kind, status) {
                (DocumentKind::ApprovalForm, S::Approved) => Ok(S::Issued),
                (
                    DocumentKind::ApprovalForm,
                    S::Draft | S::PendingDepartmentHead | S::PendingUnitHead,
                ) => Err(DomainError::conflict(
                    "not_approved",
                    "审批表尚未经承办机构负责人签批和行政执法主体负责人批准，不能编号",
                )),
                (_, S::Submitted) => Ok(S::Issued),
                (_, S::Draft) => Err(DomainError::conflict(
                    "not_submitted",
                    format!("{}尚未由承办处室提交，不能编号", kind.label()),
                )),
                _ => Err(wrong_state()),
            }
        }
        Action::Serve => {
            ensure(actor.handles(), "只有承办处室的人员可以登记送达")?;
            match (kind, status) {
                (DocumentKind::InspectionNotice | DocumentKind::SamplingNotice, S::Issued) => {
                    Ok(S::Served)
                }
                (DocumentKind::InspectionNotice | DocumentKind::SamplingNotice, _) => {
                    Err(wrong_state())
                }
                _ => Err(DomainError::conflict(
                    "not_served",
                    format!("{}不需要送达", kind.label()),
                )),
            }
        }
        Action::Complete => {
            ensure(actor.handles(), "只有承办处室的人员可以完成笔录")?;
            match (kind, status) {
                (DocumentKind::OnsiteRecord | DocumentKind::InquiryRecord, S::Draft) => {
                    Ok(S::Completed)
                }
                (DocumentKind::OnsiteRecord | DocumentKind::InquiryRecord, _) => Err(wrong_state()),
                _ => Err(DomainError::conflict(
                    "numbered_kind",
                    format!("{}由办公室编号后生效", kind.label()),
                )),
            }
        }
        Action::Void => {
            ensure(
                actor.handles() || (actor.in_issuing_unit && actor.has(Role::OfficeClerk)),
                "只有承办处室或本单位办公室可以作废文书",
            )?;
            match status {
                S::Void => Err(wrong_state()),
                _ => Ok(S::Void),
            }
        }
    }
}

fn ensure(ok: bool, message: &str) -> DomainResult<()> {
    if ok {
        Ok(())
    } else {
        Err(DomainError::forbidden(message))
    }
}

/// What an inspection still owes (DOC-4, DOC-5): an on-site inspection needs
/// an approved, numbered 审批表 and a served 通知书 (for an urgent one, done
/// afterwards: 补办手续); a remote (非现场) one needs neither.
pub fn owed(on_site: bool, approval_issued: bool, notice_served: bool) -> Vec<DocumentKind> {
    let mut out = Vec::new();
    if on_site && !approval_issued {
        out.push(DocumentKind::ApprovalForm);
    }
    if on_site && !notice_served {
        out.push(DocumentKind::InspectionNotice);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role], person: i64) -> DocumentActor<'_> {
        DocumentActor {
            person_id: Some(person),
            roles,
            in_handling_department: true,
            in_issuing_unit: true,
        }
    }

    #[test]
    fn approval_form_goes_head_then_unit_head_then_office() {
        let k = DocumentKind::ApprovalForm;
        let clerk = [Role::Inspector];
        let head = [Role::DepartmentHead];
        let boss = [Role::UnitHead];
        let office = [Role::OfficeClerk];
        let s = decide(
            k,
            DocumentStatus::Draft,
            Action::Submit,
            &actor(&clerk, 1),
            None,
        )
        .unwrap();
        assert_eq!(s, DocumentStatus::PendingDepartmentHead);
        let s = decide(k, s, Action::SignAsDepartmentHead, &actor(&head, 2), None).unwrap();
        assert_eq!(s, DocumentStatus::PendingUnitHead);
        let s = decide(k, s, Action::ApproveAsUnitHead, &actor(&boss, 3), Some(2)).unwrap();
        assert_eq!(s, DocumentStatus::Approved);
        let s = decide(k, s, Action::Number, &actor(&office, 4), Some(2)).unwrap();
        assert_eq!(s, DocumentStatus::Issued);
    }

    #[test]
    fn a_department_head_alone_never_approves() {
        let k = DocumentKind::ApprovalForm;
        let head = [Role::DepartmentHead];
        let err = decide(
            k,
            DocumentStatus::PendingUnitHead,
            Action::ApproveAsUnitHead,
            &actor(&head, 2),
            Some(2),
        )
        .unwrap_err();
        assert!(err.message.contains("不得仅由内设机构负责人批准"));
        // Holding both roles does not let one person sign twice.
        let both = [Role::DepartmentHead, Role::UnitHead];
        let err = decide(
            k,
            DocumentStatus::PendingUnitHead,
            Action::ApproveAsUnitHead,
            &actor(&both, 2),
            Some(2),
        )
        .unwrap_err();
        assert_eq!(err.code, "forbidden");
        // The office cannot number what the unit head has not approved.
        let office = [Role::OfficeClerk];
        let err = decide(
            k,
            DocumentStatus::PendingUnitHead,
            Action::Number,
            &actor(&office, 9),
            Some(2),
        )
        .unwrap_err();
        assert_eq!(err.code, "not_approved");
    }

    #[test]
    fn notices_are_numbered_then_served_and_records_are_not_numbered() {
        let office = [Role::OfficeClerk];
        let officer = [Role::Inspector];
        let s = decide(
            DocumentKind::InspectionNotice,
            DocumentStatus::Draft,
            Action::Submit,
            &actor(&officer, 1),
            None,
        )
        .unwrap();
        assert_eq!(s, DocumentStatus::Submitted);
        let s = decide(
            DocumentKind::InspectionNotice,
            s,
            Action::Number,
            &actor(&office, 9),
            None,
        )
        .unwrap();
        let s = decide(
            DocumentKind::InspectionNotice,
            s,
            Action::Serve,
            &actor(&officer, 1),
            None,
        )
        .unwrap();
        assert_eq!(s, DocumentStatus::Served);
        let err = decide(
            DocumentKind::OnsiteRecord,
            DocumentStatus::Draft,
            Action::Number,
            &actor(&office, 9),
            None,
        )
        .unwrap_err();
        assert_eq!(err.code, "not_numbered");
        assert_eq!(
            decide(
                DocumentKind::InquiryRecord,
                DocumentStatus::Draft,
                Action::Complete,
                &actor(&officer, 1),
                None
            )
            .unwrap(),
            DocumentStatus::Completed
        );
    }

    #[test]
    fn outsiders_and_wrong_states_are_refused() {
        let outsider = DocumentActor {
            person_id: Some(5),
            roles: &[Role::Inspector],
            in_handling_department: false,
            in_issuing_unit: true,
        };
        assert_eq!(
            decide(
                DocumentKind::ApprovalForm,
                DocumentStatus::Draft,
                Action::Edit,
                &outsider,
                None
            )
            .unwrap_err()
            .code,
            "forbidden"
        );
        let officer = [Role::Inspector];
        let err = decide(
            DocumentKind::ApprovalForm,
            DocumentStatus::Issued,
            Action::Edit,
            &actor(&officer, 1),
            None,
        )
        .unwrap_err();
        assert_eq!(err.code, "wrong_state");
        assert_eq!(
            decide(
                DocumentKind::ApprovalForm,
                DocumentStatus::Issued,
                Action::Void,
                &actor(&officer, 1),
                None
            )
            .unwrap(),
            DocumentStatus::Void
        );
    }

    #[test]
    fn remote_inspections_owe_nothing() {
        assert!(owed(false, false, false).is_empty());
        assert_eq!(
            owed(true, true, false),
            vec![DocumentKind::InspectionNotice]
        );
    }

    // The rules below are stated role by role and state by state, so that
    // weakening any one of them (a role test, a department test, a state)
    // fails a test that names it.

    use DocumentKind as K;
    use DocumentStatus as S;

    /// Someone of the issuing unit: `in_department` says whether they belong
    /// to the department handling the document.
    fn member(roles: &[Role], person: i64, in_department: bool) -> DocumentActor<'_> {
        DocumentActor {
            person_id: Some(person),
            roles,
            in_handling_department: in_department,
            in_issuing_unit: true,
        }
    }

    /// Someone of another unit altogether, whatever roles they hold there.
    fn stranger(roles: &[Role]) -> DocumentActor<'_> {
        DocumentActor {
            person_id: Some(99),
            roles,
            in_handling_department: false,
            in_issuing_unit: false,
        }
    }

    fn code(
        kind: DocumentKind,
        status: DocumentStatus,
        action: Action,
        who: &DocumentActor,
        signer: Option<i64>,
    ) -> &'static str {
        match decide(kind, status, action, who, signer) {
            Ok(_) => "ok",
            Err(e) => e.code,
        }
    }

    const DEPARTMENT_STAFF: [Role; 4] = [
        Role::Inspector,
        Role::Secretary,
        Role::DepartmentAdmin,
        Role::DepartmentHead,
    ];
    const NOT_DEPARTMENT_STAFF: [Role; 4] = [
        Role::UnitHead,
        Role::OfficeClerk,
        Role::SystemAdmin,
        Role::EnterpriseUser,
    ];

    #[test]
    fn each_member_of_the_handling_department_drafts_and_submits() {
        for role in DEPARTMENT_STAFF {
            let roles = [role];
            let who = member(&roles, 1, true);
            assert_eq!(
                decide(K::ApprovalForm, S::Draft, Action::Edit, &who, None),
                Ok(S::Draft),
                "{role:?} edits"
            );
            assert_eq!(
                decide(K::ApprovalForm, S::Draft, Action::Submit, &who, None),
                Ok(S::PendingDepartmentHead),
                "{role:?} submits"
            );
            // The same role in another department of the unit does not.
            let elsewhere = member(&roles, 1, false);
            assert_eq!(
                code(K::ApprovalForm, S::Draft, Action::Edit, &elsewhere, None),
                "forbidden",
                "{role:?} of another department edits"
            );
        }
    }

    #[test]
    fn the_unit_head_the_office_and_others_in_the_department_do_not_draft() {
        // Being counted in the department is not enough: the role must be one
        // of the department's own (officer, secretary, administrator, head).
        for role in NOT_DEPARTMENT_STAFF {
            let roles = [role];
            let who = member(&roles, 1, true);
            for action in [Action::Edit, Action::Submit] {
                assert_eq!(
                    code(K::ApprovalForm, S::Draft, action, &who, None),
                    "forbidden",
                    "{role:?} may {action:?}"
                );
            }
            assert_eq!(
                code(K::OnsiteRecord, S::Draft, Action::Complete, &who, None),
                "forbidden",
                "{role:?} completes a 笔录"
            );
            assert_eq!(
                code(K::InspectionNotice, S::Issued, Action::Serve, &who, None),
                "forbidden",
                "{role:?} serves a notice"
            );
        }
    }

    #[test]
    fn what_the_office_numbers_is_submitted_once_and_records_never() {
        let officer = [Role::Inspector];
        let who = member(&officer, 1, true);
        for kind in [K::OnsiteRecord, K::InquiryRecord] {
            assert_eq!(
                code(kind, S::Draft, Action::Submit, &who, None),
                "no_approval"
            );
        }
        for kind in [
            K::InspectionNotice,
            K::SamplingNotice,
            K::InspectionRecordSheet,
        ] {
            assert_eq!(
                decide(kind, S::Draft, Action::Submit, &who, None),
                Ok(S::Submitted)
            );
            for status in [S::Submitted, S::Issued, S::Served, S::Void] {
                assert_eq!(
                    code(kind, status, Action::Submit, &who, None),
                    "wrong_state",
                    "{kind:?} submitted at {status:?}"
                );
            }
            // Only the handling department submits.
            assert_eq!(
                code(
                    kind,
                    S::Draft,
                    Action::Submit,
                    &member(&officer, 5, false),
                    None
                ),
                "forbidden"
            );
        }
        for status in [S::PendingDepartmentHead, S::PendingUnitHead, S::Approved] {
            assert_eq!(
                code(K::ApprovalForm, status, Action::Submit, &who, None),
                "wrong_state"
            );
        }
    }

    #[test]
    fn the_office_numbers_no_draft_and_may_return_what_was_submitted() {
        let office = [Role::OfficeClerk];
        let clerk = member(&office, 9, false);
        for kind in [
            K::InspectionNotice,
            K::SamplingNotice,
            K::InspectionRecordSheet,
        ] {
            assert_eq!(
                code(kind, S::Draft, Action::Number, &clerk, None),
                "not_submitted",
                "{kind:?} numbered as a draft"
            );
            assert_eq!(
                decide(kind, S::Submitted, Action::Return, &clerk, None),
                Ok(S::Draft)
            );
            // The department does not return its own submission, nor another
            // unit's office.
            let officer = [Role::Inspector];
            assert_eq!(
                code(
                    kind,
                    S::Submitted,
                    Action::Return,
                    &member(&officer, 1, true),
                    None
                ),
                "forbidden"
            );
            assert_eq!(
                code(kind, S::Submitted, Action::Return, &stranger(&office), None),
                "forbidden"
            );
            // Nobody edits what waits for the office.
            assert_eq!(
                code(
                    kind,
                    S::Submitted,
                    Action::Edit,
                    &member(&officer, 1, true),
                    None
                ),
                "wrong_state"
            );
        }
    }

    #[test]
    fn every_step_reads_as_a_sentence() {
        for &action in Action::ALL {
            for &kind in DocumentKind::ALL {
                let s = action.done_sentence(kind);
                assert!(s.ends_with('。'), "{action:?} {kind:?}: {s}");
            }
        }
        assert_eq!(
            Action::ApproveAsUnitHead.done_sentence(K::ApprovalForm),
            "已批准，等待办公室编号盖章。"
        );
        assert_eq!(Action::Submit.label_for(K::ApprovalForm), "提交审批");
        assert_eq!(
            Action::Submit.label_for(K::InspectionNotice),
            "提交办公室编号"
        );
    }

    #[test]
    fn an_inspector_may_not_sign_as_department_head() {
        // 承办机构负责人签批 needs that role in the handling department: no
        // other member of the department, and no head of another department.
        for role in [
            Role::Inspector,
            Role::Secretary,
            Role::DepartmentAdmin,
            Role::UnitHead,
            Role::OfficeClerk,
        ] {
            let roles = [role];
            assert_eq!(
                code(
                    K::ApprovalForm,
                    S::PendingDepartmentHead,
                    Action::SignAsDepartmentHead,
                    &member(&roles, 1, true),
                    None
                ),
                "forbidden",
                "{role:?} signs as 承办机构负责人"
            );
        }
        let head = [Role::DepartmentHead];
        assert_eq!(
            code(
                K::ApprovalForm,
                S::PendingDepartmentHead,
                Action::SignAsDepartmentHead,
                &member(&head, 2, false),
                None
            ),
            "forbidden",
            "the head of another department signs"
        );
        assert_eq!(
            decide(
                K::ApprovalForm,
                S::PendingDepartmentHead,
                Action::SignAsDepartmentHead,
                &member(&head, 2, true),
                None
            ),
            Ok(S::PendingUnitHead)
        );
        // Only a form waiting for that signature.
        for status in [S::Draft, S::PendingUnitHead, S::Approved, S::Issued] {
            assert_eq!(
                code(
                    K::ApprovalForm,
                    status,
                    Action::SignAsDepartmentHead,
                    &member(&head, 2, true),
                    None
                ),
                "wrong_state",
                "signed at {status:?}"
            );
        }
    }

    #[test]
    fn only_a_unit_head_of_the_issuing_unit_approves_what_is_waiting_for_it() {
        let boss = [Role::UnitHead];
        assert_eq!(
            code(
                K::ApprovalForm,
                S::PendingUnitHead,
                Action::ApproveAsUnitHead,
                &stranger(&boss),
                Some(2)
            ),
            "forbidden",
            "the head of another unit approves"
        );
        for status in [S::Draft, S::PendingDepartmentHead, S::Approved, S::Issued] {
            assert_eq!(
                code(
                    K::ApprovalForm,
                    status,
                    Action::ApproveAsUnitHead,
                    &member(&boss, 3, false),
                    Some(2)
                ),
                "wrong_state",
                "approved at {status:?}"
            );
        }
        // A unit head who did not sign approves, whoever signed.
        assert_eq!(
            decide(
                K::ApprovalForm,
                S::PendingUnitHead,
                Action::ApproveAsUnitHead,
                &member(&boss, 3, false),
                None
            ),
            Ok(S::Approved)
        );
    }

    #[test]
    fn returning_sends_the_form_back_to_the_drafters_from_the_current_approver_only() {
        let head = [Role::DepartmentHead];
        let boss = [Role::UnitHead];
        let officer = [Role::Inspector];
        let office = [Role::OfficeClerk];
        let k = K::ApprovalForm;
        // The department head returns what waits for their signature, and the
        // drafters can edit it again.
        let back = decide(
            k,
            S::PendingDepartmentHead,
            Action::Return,
            &member(&head, 2, true),
            None,
        )
        .unwrap();
        assert_eq!(back, S::Draft);
        assert_eq!(
            decide(k, back, Action::Edit, &member(&officer, 1, true), None),
            Ok(S::Draft)
        );
        // The unit head returns what waits for their approval.
        assert_eq!(
            decide(
                k,
                S::PendingUnitHead,
                Action::Return,
                &member(&boss, 3, false),
                Some(2)
            ),
            Ok(S::Draft)
        );
        // Nobody else returns, not even the other approver.
        let refused = [
            (S::PendingDepartmentHead, member(&boss, 3, false)),
            (S::PendingDepartmentHead, member(&officer, 1, true)),
            (S::PendingDepartmentHead, member(&head, 4, false)),
            (S::PendingUnitHead, member(&head, 2, true)),
            (S::PendingUnitHead, member(&office, 5, false)),
            (S::PendingUnitHead, stranger(&boss)),
        ];
        for (status, who) in &refused {
            assert_eq!(
                code(k, *status, Action::Return, who, Some(2)),
                "forbidden",
                "{:?} returns at {status:?}",
                who.roles
            );
        }
        // Nothing is returned that is not waiting for an approver.
        for status in [S::Draft, S::Approved, S::Issued, S::Void] {
            for who in [member(&head, 2, true), member(&boss, 3, false)] {
                assert_eq!(
                    code(k, status, Action::Return, &who, Some(2)),
                    "wrong_state",
                    "returned at {status:?}"
                );
            }
        }
    }

    #[test]
    fn only_the_office_of_the_issuing_unit_numbers() {
        let office = [Role::OfficeClerk];
        assert_eq!(
            decide(
                K::InspectionNotice,
                S::Submitted,
                Action::Number,
                &member(&office, 9, false),
                None
            ),
            Ok(S::Issued)
        );
        assert_eq!(
            code(
                K::InspectionNotice,
                S::Submitted,
                Action::Number,
                &stranger(&office),
                None
            ),
            "forbidden",
            "another unit's office numbers"
        );
        for role in [Role::DepartmentHead, Role::UnitHead, Role::Inspector] {
            let roles = [role];
            assert_eq!(
                code(
                    K::ApprovalForm,
                    S::Approved,
                    Action::Number,
                    &member(&roles, 1, true),
                    Some(2)
                ),
                "forbidden",
                "{role:?} numbers"
            );
        }
    }

    #[test]
    fn a_document_is_numbered_once_from_the_state_before_numbering() {
        let office = [Role::OfficeClerk];
        let clerk = member(&office, 9, false);
        for kind in [
            K::InspectionNotice,
            K::SamplingNotice,
            K::InspectionRecordSheet,
        ] {
            assert_eq!(
                decide(kind, S::Submitted, Action::Number, &clerk, None),
                Ok(S::Issued)
            );
            for status in [S::Issued, S::Served, S::Void] {
                assert_eq!(
                    code(kind, status, Action::Number, &clerk, None),
                    "wrong_state",
                    "{kind:?} numbered again at {status:?}"
                );
            }
        }
        assert_eq!(
            code(K::ApprovalForm, S::Draft, Action::Number, &clerk, None),
            "not_approved"
        );
        assert_eq!(
            code(
                K::ApprovalForm,
                S::PendingDepartmentHead,
                Action::Number,
                &clerk,
                None
            ),
            "not_approved"
        );
        for status in [S::Issued, S::Void] {
            assert_eq!(
                code(K::ApprovalForm, status, Action::Number, &clerk, Some(2)),
                "wrong_state",
                "审批表 numbered again at {status:?}"
            );
        }
        assert_eq!(
            code(K::InquiryRecord, S::Draft, Action::Number, &clerk, None),
            "not_numbered"
        );
    }

    #[test]
    fn only_numbered_notices_are_served() {
        let officer = [Role::Inspector];
        let who = member(&officer, 1, true);
        assert_eq!(
            decide(K::SamplingNotice, S::Issued, Action::Serve, &who, None),
            Ok(S::Served)
        );
        for status in [S::Draft, S::Served, S::Void] {
            assert_eq!(
                code(K::InspectionNotice, status, Action::Serve, &who, None),
                "wrong_state",
                "served at {status:?}"
            );
        }
        for kind in [K::ApprovalForm, K::InspectionRecordSheet, K::OnsiteRecord] {
            assert_eq!(
                code(kind, S::Issued, Action::Serve, &who, None),
                "not_served"
            );
        }
        let outsider = member(&officer, 5, false);
        assert_eq!(
            code(
                K::InspectionNotice,
                S::Issued,
                Action::Serve,
                &outsider,
                None
            ),
            "forbidden"
        );
    }

    #[test]
    fn records_are_completed_once_by_the_department() {
        let officer = [Role::Inspector];
        let who = member(&officer, 1, true);
        assert_eq!(
            decide(K::OnsiteRecord, S::Draft, Action::Complete, &who, None),
            Ok(S::Completed)
        );
        for status in [S::Completed, S::Void] {
            assert_eq!(
                code(K::OnsiteRecord, status, Action::Complete, &who, None),
                "wrong_state"
            );
        }
        for kind in [
            K::InspectionNotice,
            K::InspectionRecordSheet,
            K::ApprovalForm,
        ] {
            assert_eq!(
                code(kind, S::Draft, Action::Complete, &who, None),
                "numbered_kind"
            );
        }
        assert_eq!(
            code(
                K::InquiryRecord,
                S::Draft,
                Action::Complete,
                &member(&officer, 5, false),
                None
            ),
            "forbidden"
        );
    }

    #[test]
    fn a_published_document_is_edited_by_nobody() {
        let officer = [Role::Inspector];
        let who = member(&officer, 1, true);
        for status in [
            S::PendingDepartmentHead,
            S::PendingUnitHead,
            S::Approved,
            S::Served,
            S::Completed,
            S::Void,
        ] {
            assert_eq!(
                code(K::ApprovalForm, status, Action::Edit, &who, None),
                "wrong_state",
                "edited at {status:?}"
            );
        }
    }

    #[test]
    fn only_the_handling_department_or_the_office_may_void() {
        let office = [Role::OfficeClerk];
        let officer = [Role::Inspector];
        // The handling department's people, and the issuing unit's office.
        for role in DEPARTMENT_STAFF {
            let roles = [role];
            assert_eq!(
                decide(
                    K::InspectionNotice,
                    S::Issued,
                    Action::Void,
                    &member(&roles, 1, true),
                    None
                ),
                Ok(S::Void),
                "{role:?} of the department voids"
            );
        }
        assert_eq!(
            decide(
                K::InspectionNotice,
                S::Issued,
                Action::Void,
                &member(&office, 9, false),
                None
            ),
            Ok(S::Void)
        );
        // Anyone else in the unit may not, nor another unit's office.
        let refused: [(&[Role], bool); 6] = [
            (&officer, false),
            (&[Role::DepartmentHead], false),
            (&[Role::UnitHead], false),
            (&[Role::SystemAdmin], false),
            (&[Role::UnitHead], true),
            (&[Role::SystemAdmin], true),
        ];
        for (roles, in_department) in refused {
            assert_eq!(
                code(
                    K::InspectionNotice,
                    S::Issued,
                    Action::Void,
                    &member(roles, 1, in_department),
                    None
                ),
                "forbidden",
                "{roles:?} (in the department: {in_department}) voids"
            );
        }
        assert_eq!(
            code(
                K::InspectionNotice,
                S::Issued,
                Action::Void,
                &stranger(&office),
                None
            ),
            "forbidden"
        );
    }

    #[test]
    fn any_state_but_void_may_be_voided() {
        let officer = [Role::Inspector];
        let who = member(&officer, 1, true);
        for &status in S::ALL {
            let expected = if status == S::Void {
                Err("wrong_state")
            } else {
                Ok(S::Void)
            };
            assert_eq!(
                decide(K::ApprovalForm, status, Action::Void, &who, None).map_err(|e| e.code),
                expected,
                "voided at {status:?}"
            );
        }
    }

    #[test]
    fn an_on_site_inspection_owes_what_is_missing() {
        assert_eq!(
            owed(true, false, false),
            vec![K::ApprovalForm, K::InspectionNotice]
        );
        assert_eq!(owed(true, false, true), vec![K::ApprovalForm]);
        assert!(owed(true, true, true).is_empty());
        assert!(owed(false, true, true).is_empty());
        assert!(owed(false, false, true).is_empty());
    }
}
