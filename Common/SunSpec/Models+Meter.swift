extension SunSpecModels {
    /// Model 203, wye-connect three-phase meter, integer + scale factor. L = 105.
    public static let meterWye: SunSpecModelDefinition = {
        var layout = ModelLayout()
        layout.add(["A", "AphA", "AphB", "AphC"], .int16, "A_SF")
        layout.add("A_SF", .sunssf)
        layout.add(["PhV", "PhVphA", "PhVphB", "PhVphC", "PPV", "PhVphAB", "PhVphBC", "PhVphCA"], .int16, "V_SF")
        layout.add("V_SF", .sunssf)
        layout.add("Hz", .int16, "Hz_SF")
        layout.add("Hz_SF", .sunssf)
        for quantity in ["W", "VA", "VAR", "PF"] {
            layout.add([quantity] + ["A", "B", "C"].map { "\(quantity)ph\($0)" }, .int16, "\(quantity)_SF")
            layout.add("\(quantity)_SF", .sunssf)
        }
        for (group, unit) in [("Wh", "TotWh_SF"), ("VAh", "TotVAh_SF")] {
            for direction in ["Exp", "Imp"] {
                let name = "Tot\(group)\(direction)"
                layout.add([name] + ["A", "B", "C"].map { "\(name)Ph\($0)" }, .acc32, unit)
            }
            layout.add(unit, .sunssf)
        }
        for name in ["TotVArhImpQ1", "TotVArhImpQ2", "TotVArhExpQ3", "TotVArhExpQ4"] {
            layout.add([name] + ["A", "B", "C"].map { "\(name)Ph\($0)" }, .acc32, "TotVArh_SF")
        }
        layout.add("TotVArh_SF", .sunssf)
        layout.add("Evt", .bitfield32)
        return layout.definition(id: 203, name: "ac_meter")
    }()

    /// Model 213, wye-connect three-phase meter, float32. L = 124. Note its line-line names are PPVphAB…, not PhVphAB.
    public static let meterWyeFloat: SunSpecModelDefinition = {
        var layout = ModelLayout()
        layout.add(["A", "AphA", "AphB", "AphC"], .float32)
        layout.add(["PhV", "PhVphA", "PhVphB", "PhVphC", "PPV", "PPVphAB", "PPVphBC", "PPVphCA", "Hz"], .float32)
        for quantity in ["W", "VA", "VAR", "PF"] {
            layout.add([quantity] + ["A", "B", "C"].map { "\(quantity)ph\($0)" }, .float32)
        }
        for name in ["TotWhExp", "TotWhImp", "TotVAhExp", "TotVAhImp"] {
            layout.add([name] + ["A", "B", "C"].map { "\(name)Ph\($0)" }, .float32)
        }
        for name in ["TotVArhImpQ1", "TotVArhImpQ2", "TotVArhExpQ3", "TotVArhExpQ4"] {
            layout.add([name] + ["A", "B", "C"].map { "\(name)ph\($0)" }, .float32)  // lower-case "ph" in 213
        }
        layout.add("Evt", .bitfield32)
        return layout.definition(id: 213, name: "ac_meter")
    }()
}
