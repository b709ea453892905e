/// One reading of the transformer's secondary meter (wye, phase-to-neutral).
/// Sign convention: + active power flows forward, from the grid through the transformer to the loads.
public struct MeterReading: Sendable, Hashable, Codable {
    /// When the meter's values were taken (not when they were processed).
    public var time: Timestamp
    public var voltageV: PerPhase<Double>
    /// Voltage angles; nil means the nominal 0°, −120°, +120°.
    public var voltageAngleDeg: PerPhase<Double>?
    public var currentA: PerPhase<Double>
    public var activePowerKW: PerPhase<Double>
    public var reactivePowerKvar: PerPhase<Double>
    public var frequencyHz: Double

    public init(
        time: Timestamp,
        voltageV: PerPhase<Double>,
        voltageAngleDeg: PerPhase<Double>? = nil,
        currentA: PerPhase<Double>,
        activePowerKW: PerPhase<Double>,
        reactivePowerKvar: PerPhase<Double>,
        frequencyHz: Double
    ) {
        self.time = time
        self.voltageV = voltageV
        self.voltageAngleDeg = voltageAngleDeg
        self.currentA = currentA
        self.activePowerKW = activePowerKW
        self.reactivePowerKvar = reactivePowerKvar
        self.frequencyHz = frequencyHz
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case time, voltageV = "voltage_v", voltageAngleDeg = "voltage_angle_deg", currentA = "current_a"
        case activePowerKW = "active_power_kw", reactivePowerKvar = "reactive_power_kvar", frequencyHz = "frequency_hz"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        time = try c.decode(Timestamp.self, forKey: .time)
        voltageV = try c.decode(PerPhase<Double>.self, forKey: .voltageV)
        voltageAngleDeg = try c.decodeIfPresent(PerPhase<Double>.self, forKey: .voltageAngleDeg)
        currentA = try c.decode(PerPhase<Double>.self, forKey: .currentA)
        activePowerKW = try c.decode(PerPhase<Double>.self, forKey: .activePowerKW)
        reactivePowerKvar = try c.decode(PerPhase<Double>.self, forKey: .reactivePowerKvar)
        frequencyHz = try c.decode(Double.self, forKey: .frequencyHz)
    }

    /// Voltage phasors, using the nominal angles where the meter gives none.
    public var voltagePhasors: PerPhase<Phasor> {
        PerPhase { phase in
            Phasor(magnitude: voltageV[phase], angleDegrees: voltageAngleDeg?[phase] ?? phase.nominalAngleDegrees)
        }
    }

    /// Current phasors derived from each phase's P and Q against its voltage phasor: I = conj(S / V).
    public var currentPhasors: PerPhase<Phasor> {
        let v = voltagePhasors
        return PerPhase { phase in
            let s = Phasor(real: activePowerKW[phase] * 1000, imaginary: reactivePowerKvar[phase] * 1000)
            guard v[phase].magnitude > 0 else { return .zero }
            return (s / v[phase]).conjugate
        }
    }

    /// Three-phase apparent power |S| in kVA.
    public var apparentPowerKVA: Double {
        Phasor(real: activePowerKW.sum, imaginary: reactivePowerKvar.sum).magnitude
    }
}
