//! Units (单位, the 行政执法主体) and departments (ORG-1, ORG-2, ORG-8).

labelled_enum!(
    /// Level of a unit in the tree: 省厅 → 市局 → 区县分局.
    UnitLevel {
        Province = "province" / "省级",
        City = "city" / "市级",
        County = "county" / "区县级",
    }
);

labelled_enum!(
    /// The sector a unit belongs to: ecology-environment units form the tree of
    /// this system; partner agencies (ORG-8) are units of other sectors, named in
    /// cross-department joint inspections and with caps of their own.
    Sector {
        Ecology = "ecology" / "生态环境",
        MarketRegulation = "market_regulation" / "市场监管",
        EmergencyManagement = "emergency_management" / "应急管理",
        Other = "other" / "其他部门",
    }
);

labelled_enum!(
    /// 处室/科室/股室 or 直属事业单位.
    DepartmentKind {
        Office = "office" / "处室/科室/股室",
        Institution = "institution" / "直属事业单位",
    }
);

labelled_enum!(
    /// Business line (业务条线): matches a department with the corresponding
    /// department of a subordinate unit ("下级单位相应处室").
    BusinessLine {
        Air = "air" / "大气",
        Water = "water" / "水",
        Soil = "soil" / "土壤",
        SolidWaste = "solid_waste" / "固废",
        Radiation = "radiation" / "辐射",
        Enforcement = "enforcement" / "执法",
        Monitoring = "monitoring" / "监测",
        Ecology = "ecology" / "自然生态",
        Assessment = "assessment" / "环评",
        General = "general" / "综合",
        Partner = "partner" / "协作部门",
    }
);

impl UnitLevel {
    /// The level directly below, where subordinate inspectors may come from.
    pub fn below(self) -> Option<UnitLevel> {
        match self {
            UnitLevel::Province => Some(UnitLevel::City),
            UnitLevel::City => Some(UnitLevel::County),
            UnitLevel::County => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_round_trip() {
        for l in BusinessLine::ALL {
            assert_eq!(BusinessLine::parse(l.as_str()), Some(*l));
            assert_eq!(BusinessLine::parse(l.label()), Some(*l));
        }
        assert_eq!(UnitLevel::Province.below(), Some(UnitLevel::City));
    }
}
