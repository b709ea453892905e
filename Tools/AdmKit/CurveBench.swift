public import GridCore

/// The curve function under test, as named on the command line.
public enum CurveFunction: String, Sendable, Hashable, CaseIterable {
    case voltVar = "volt-var"
    case voltWatt = "volt-watt"
    case frequencyDroop = "freq-droop"

    /// Input CSV value column: v_pu, or f_hz for droop.
    public var inputColumn: String { self == .frequencyDroop ? "f_hz" : "v_pu" }
    /// Output CSV value column: q_pu for Volt-VAR, else p_pu.
    public var outputColumn: String { self == .voltVar ? "q_pu" : "p_pu" }
}

/// The configured function: one curve, validated.
public enum CurveSetting: Sendable, Hashable {
    case voltVar(VoltVarCurve)
    case voltWatt(VoltWattCurve)
    case frequencyDroop(FrequencyDroop)

    public var function: CurveFunction {
        switch self {
        case .voltVar: .voltVar
        case .voltWatt: .voltWatt
        case .frequencyDroop: .frequencyDroop
        }
    }

    /// Open-loop response time Tr of the configured curve (s).
    public var responseTimeS: Double {
        switch self {
        case .voltVar(let c): c.responseTimeS
        case .voltWatt(let c): c.responseTimeS
        case .frequencyDroop(let d): d.responseTimeS
        }
    }
}

/// A bench for one curve function, like a DER on an IEEE 1547.1 test bench: a time series of voltage (or
/// frequency) in, the function's response out, including the open-loop time response.
///
/// Each input sample holds until the next one (zero-order hold), so the output at tᵢ is the response to the
/// input held over (tᵢ₋₁, tᵢ]; a step written at t = 5 has covered 90 % at t = 5 + Tr. The bench starts in
/// steady state at the first sample, autonomous VRef (if enabled) included.
public struct CurveBench: Sendable {
    public let setting: CurveSetting

    public init(setting: CurveSetting) {
        self.setting = setting
    }

    /// The response at each sample time: Q (pu of VA) for Volt-VAR, the discharge limit (pu) for Volt-Watt,
    /// the export change (pu) for frequency droop.
    public func respond(to samples: [CurveBenchSample]) -> [Double] {
        guard let first = samples.first else { return [] }
        var vRef: AutonomousVRef? = nil
        if case .voltVar(let curve) = setting, curve.autonomousVRefEnabled {
            vRef = AutonomousVRef(timeConstantS: curve.vRefTimeConstantS, initialVRefPU: first.value)
        }
        var response = OpenLoopResponse(responseTimeS: setting.responseTimeS, initial: target(first.value, vRef: vRef))
        var outputs = [response.output]
        for (held, now) in zip(samples, samples.dropFirst()) {
            let dtS = now.timeS - held.timeS
            _ = vRef?.update(voltagePU: held.value, dtS: dtS)
            outputs.append(response.advance(toward: target(held.value, vRef: vRef), dtS: dtS))
        }
        return outputs
    }

    /// Parses `csv` (named `fileName` in errors), runs the bench and returns the output CSV.
    public func respond(csv: String, fileName: String) throws(CurveBenchError) -> String {
        let samples = try CurveBenchCSV.parse(csv, fileName: fileName, function: setting.function)
        let outputs = respond(to: samples)
        return CurveBenchCSV.format(zip(samples, outputs).map { ($0.timeText, $1) }, function: setting.function)
    }

    /// The curve's steady-state value for an input held at `value`.
    func target(_ value: Double, vRef: AutonomousVRef?) -> Double {
        switch setting {
        case .voltVar(let curve):
            curve.reactivePowerPU(atVoltagePU: value, vRefPU: vRef?.vRefPU ?? curve.vRefPU)
        case .voltWatt(let curve):
            curve.maxDischargePU(atVoltagePU: value)
        case .frequencyDroop(let droop):
            droop.exportChangePU(frequencyHz: value)
        }
    }
}
