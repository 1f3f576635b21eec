//! Who may move a document on, and to where (DOC-4, DOC-5).
//!
//! 审批表: drafted by the handling department, signed by its head
//! (承办机构负责人), approved by the unit's head (行政执法主体负责人) — a
//! different person holding that role, never the department head alone — and
//! then numbered and stamped by the office. Notices and the 情况记录表 are
//! numbered and stamped by the office; a notice is then served. The two 笔录
//! are completed by the inspectors. Any document may be voided with a reason;
//! a numbered one keeps its number, marked 作废.

use super::kind::DocumentKind;
use crate::error::{DomainError, DomainResult};
use crate::org::Role;

labelled_enum!(
    /// Where a document is in its workflow.
    DocumentStatus {
        Draft = "draft" / "草稿",
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
        Submit = "submit" / "提交审批",
        SignAsDepartmentHead = "sign_department_head" / "承办机构负责人签批",
        ApproveAsUnitHead = "approve_unit_head" / "行政执法主体负责人批准",
        Return = "return" / "退回修改",
        Number = "number" / "编号盖章",
        Serve = "serve" / "送达",
        Complete = "complete" / "完成",
        Void = "void" / "作废",
    }
);

/// What the acting person is, relative to the document.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    pub person_id: Option<i64>,
    pub roles: &'a [Role],
    /// The actor belongs to the department that handles the document.
    pub in_handling_department: bool,
    /// The actor belongs to the unit that issues the document.
    pub in_issuing_unit: bool,
}

impl Actor<'_> {
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
    actor: &Actor,
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
            ensure(actor.handles(), "只有承办处室的人员可以提交审批")?;
            match (kind, status) {
                (DocumentKind::ApprovalForm, S::Draft) => Ok(S::PendingDepartmentHead),
                (DocumentKind::ApprovalForm, _) => Err(wrong_state()),
                _ => Err(DomainError::conflict(
                    "no_approval",
                    format!("{}不需要审批，直接送办公室编号", kind.label()),
                )),
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
                (_, S::Draft) if kind != DocumentKind::ApprovalForm => Ok(S::Issued),
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

    fn actor(roles: &[Role], person: i64) -> Actor<'_> {
        Actor {
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
        let outsider = Actor {
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
}
