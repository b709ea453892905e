extension SunSpecModels {
    /// Model 701, DER AC measurement. L = 153. W is positive for injection (discharge), negative for absorption.
    public static let derMeasurement: SunSpecModelDefinition = {
        var layout = ModelLayout()
        layout.add(["ACType", "St", "InvSt", "ConnSt"], .enum16)
        layout.add(["Alrm", "DERMode"], .bitfield32)
        addPhaseBlock(&layout, suffix: "", voltages: ["LLV", "LNV"])
        layout.add("Hz", .uint32, "Hz_SF")
        addEnergyBlock(&layout, suffix: "")
        layout.add(["TmpAmb", "TmpCab", "TmpSnk", "TmpTrns", "TmpSw", "TmpOt"], .int16, "Tmp_SF")
        for (phase, voltages) in [("L1", ["VL1L2", "VL1"]), ("L2", ["VL2L3", "VL2"]), ("L3", ["VL3L1", "VL3"])] {
            addPhaseBlock(&layout, suffix: phase, voltages: voltages)
            addEnergyBlock(&layout, suffix: phase)
        }
        layout.add("ThrotPct", .uint16)
        layout.add("ThrotSrc", .bitfield32)
        layout.add(["A_SF", "V_SF", "Hz_SF", "W_SF", "PF_SF", "VA_SF", "Var_SF", "TotWh_SF", "TotVarh_SF", "Tmp_SF"], .sunssf)
        layout.add("MnAlrmInfo", .string(words: 32))
        return layout.definition(id: 701, name: "DERMeasureAC")
    }()

    private static func addPhaseBlock(_ layout: inout ModelLayout, suffix: String, voltages: [String]) {
        layout.add("W\(suffix)", .int16, "W_SF")
        layout.add("VA\(suffix)", .int16, "VA_SF")
        layout.add("Var\(suffix)", .int16, "Var_SF")
        layout.add("PF\(suffix)", .int16, "PF_SF")
        layout.add("A\(suffix)", .int16, "A_SF")
        layout.add(voltages, .uint16, "V_SF")
    }

    private static func addEnergyBlock(_ layout: inout ModelLayout, suffix: String) {
        layout.add(["TotWhInj\(suffix)", "TotWhAbs\(suffix)"], .uint64, "TotWh_SF")
        layout.add(["TotVarhInj\(suffix)", "TotVarhAbs\(suffix)"], .uint64, "TotVarh_SF")
    }

    /// Model 702, DER capacity: nameplate ratings (…Rtg) then the adjusted settings. L = 50.
    public static let derCapacity: SunSpecModelDefinition = {
        var layout = ModelLayout()
        for prefix in ["Rtg", ""] {
            let settings = prefix.isEmpty
            let tag = { (name: String) in settings ? name : name + "Rtg" }
            if settings {
                layout.add(["WMax", "WMaxOvrExt"], .uint16, "W_SF")
                layout.add("WOvrExtPF", .uint16, "PF_SF")
                layout.add("WMaxUndExt", .uint16, "W_SF")
                layout.add("WUndExtPF", .uint16, "PF_SF")
            } else {
                layout.add(["WMaxRtg", "WOvrExtRtg"], .uint16, "W_SF")
                layout.add("WOvrExtRtgPF", .uint16, "PF_SF")
                layout.add("WUndExtRtg", .uint16, "W_SF")
                layout.add("WUndExtRtgPF", .uint16, "PF_SF")
            }
            layout.add(tag("VAMax"), .uint16, "VA_SF")
            layout.add([tag("VarMaxInj"), tag("VarMaxAbs")], .uint16, "Var_SF")
            layout.add([tag("WChaRteMax"), tag("WDisChaRteMax")], .uint16, "W_SF")
            layout.add([tag("VAChaRteMax"), tag("VADisChaRteMax")], .uint16, "VA_SF")
            layout.add([tag("VNom"), tag("VMax"), tag("VMin")], .uint16, "V_SF")
            layout.add(tag("AMax"), .uint16, "A_SF")
            layout.add([tag("PFOvrExt"), tag("PFUndExt")], .uint16, "PF_SF")
            if !settings {
                layout.add("ReactSusceptRtg", .uint16, "S_SF")
                layout.add(["NorOpCatRtg", "AbnOpCatRtg"], .enum16)
                layout.add("CtrlModes", .bitfield32)
            }
            layout.add(tag("IntIslandCat"), .bitfield16)
        }
        layout.add(["W_SF", "PF_SF", "VA_SF", "Var_SF", "V_SF", "A_SF", "S_SF"], .sunssf)
        return layout.definition(id: 702, name: "DERCapacity")
    }()

    /// Model 704, DER AC controls. L = 65. WSet/VarSet are int32 with WSet_SF/VarSet_SF; reversion times in seconds.
    public static let derControls: SunSpecModelDefinition = {
        var layout = ModelLayout()
        for function in ["PFWInj", "PFWAbs"] {
            layout.add(["\(function)Ena", "\(function)EnaRvrt"], .enum16)
            layout.add(["\(function)RvrtTms", "\(function)RvrtRem"], .uint32)
        }
        layout.add("WMaxLimPctEna", .enum16)
        layout.add(["WMaxLimPct", "WMaxLimPctRvrt"], .uint16, "WMaxLimPct_SF")
        layout.add("WMaxLimPctEnaRvrt", .enum16)
        layout.add(["WMaxLimPctRvrtTms", "WMaxLimPctRvrtRem"], .uint32)
        layout.add(["WSetEna", "WSetMod"], .enum16)
        layout.add(["WSet", "WSetRvrt"], .int32, "WSet_SF")
        layout.add(["WSetPct", "WSetPctRvrt"], .int16, "WSetPct_SF")
        layout.add("WSetEnaRvrt", .enum16)
        layout.add(["WSetRvrtTms", "WSetRvrtRem"], .uint32)
        layout.add(["VarSetEna", "VarSetMod", "VarSetPri"], .enum16)
        layout.add(["VarSet", "VarSetRvrt"], .int32, "VarSet_SF")
        layout.add(["VarSetPct", "VarSetPctRvrt"], .int16, "VarSetPct_SF")
        layout.add("VarSetEnaRvrt", .enum16)
        layout.add(["VarSetRvrtTms", "VarSetRvrtRem"], .uint32)
        layout.add("WRmp", .uint16)
        layout.add("WRmpRef", .enum16)
        layout.add("VarRmp", .uint16)
        layout.add("AntiIslEna", .enum16)
        layout.add(["PF_SF", "WMaxLimPct_SF", "WSet_SF", "WSetPct_SF", "VarSet_SF", "VarSetPct_SF"], .sunssf)
        // Four fixed groups of (PF, Ext); named "Group.Point" here, as pysunspec2 nests them.
        for group in ["PFWInj", "PFWInjRvrt", "PFWAbs", "PFWAbsRvrt"] {
            layout.add("\(group).PF", .uint16, "PF_SF")
            layout.add("\(group).Ext", .enum16)
        }
        return layout.definition(id: 704, name: "DERCtlAC")
    }()

    /// Model 713, DER storage capacity. L = 7.
    public static let derStorage: SunSpecModelDefinition = {
        var layout = ModelLayout()
        layout.add("WHRtg", .uint16, "WH_SF")
        layout.add("WHAvail", .uint16, "WH_SF")
        layout.add("SoC", .uint16, "Pct_SF")
        layout.add("SoH", .uint16, "Pct_SF")
        layout.add("Sta", .enum16)
        layout.add("WH_SF", .sunssf)
        layout.add("Pct_SF", .sunssf)
        return layout.definition(id: 713, name: "DERStorageCapacity")
    }()
}
