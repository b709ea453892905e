public import GridCore
import SunSpec

/// The field over Modbus TCP/RTU with SunSpec maps: the transformer meter (203/213), the temperature block
/// (vendor 64900), and each charger as a DER (701, 702, 704, 713) with its EV session (vendor 64901).
/// SunSpec DER sign convention is + injection; the control core's is + charging, so P flips sign here, once.
public final class ModbusFieldBus: FieldBus {
    private let config: AgentConfig
    private let meter: FieldDevice
    private let temperature: FieldDevice?
    private let chargers: [FieldDevice]

    public init(config: AgentConfig) {
        self.config = config
        meter = FieldDevice(name: "meter", transport: config.meter.transport, timing: config.modbus, jitterFraction: 0)
        temperature = config.temperature.map {
            FieldDevice(name: "temperature", transport: $0.transport, timing: config.modbus, jitterFraction: 0.5)
        }
        let count = max(config.chargers.count, 1)
        chargers = config.chargers.enumerated().map { index, charger in
            FieldDevice(name: charger.id, transport: charger.transport, timing: config.modbus,
                        jitterFraction: Double(index) / Double(count))
        }
    }

    public func poll(now: Timestamp) -> FieldReading {
        var alarms: [FieldAlarm] = []
        var meterTotalKW: Double?
        let meterReading = readMeter(now: now, totalKW: &meterTotalKW, alarms: &alarms)
        var ambientC: Double?
        var topOilC: Double?
        if let temperature {
            switch temperature.use(now: now, { port, map in try map.readTemperatures(reader: &port) }) {
            case .success(let values?):
                ambientC = values.ambientC
                topOilC = values.isStale ? nil : values.topOilC
            case .success(nil):
                alarms.append(FieldAlarm(code: "SUNSPEC_MODEL_MISSING", device: "temperature", message: "no model 64900"))
            case .failure(let alarm):
                alarms.append(alarm)
            }
        }
        var chargerVoltages: [(PhaseConnection, Double)] = []
        let states = zip(config.chargers, chargers).map { charger, device in
            let (state, volts) = readCharger(charger, device, now: now, alarms: &alarms)
            if let volts { chargerVoltages.append((charger.phase, volts)) }
            return state
        }
        if let meterReading {
            alarms += Self.disagreements(meterReading, totalKW: meterTotalKW, chargerVoltages: chargerVoltages, percent: config.disagreementAlarmPercent)
        }
        return FieldReading(
            inputs: CycleInputs(meter: meterReading, ambientC: ambientC, topOilC: topOilC, chargers: states), alarms: alarms)
    }

    private func readMeter(now: Timestamp, totalKW: inout Double?, alarms: inout [FieldAlarm]) -> MeterReading? {
        switch meter.use(now: now, { port, map in try map.readMeter(reader: &port) }) {
        case .failure(let alarm):
            alarms.append(alarm)
            return nil
        case .success(nil):
            alarms.append(FieldAlarm(code: "SUNSPEC_MODEL_MISSING", device: "meter", message: "no wye meter model (203 or 213)"))
            return nil
        case .success(let values?):
            let phases = [values.phaseA, values.phaseB, values.phaseC]
            guard let hz = values.frequencyHz,
                  let volts = PerPhase<Double?>(a: phases[0].voltageV, b: phases[1].voltageV, c: phases[2].voltageV).unwrapped,
                  let amps = PerPhase<Double?>(a: phases[0].currentA, b: phases[1].currentA, c: phases[2].currentA).unwrapped,
                  let kw = PerPhase<Double?>(a: phases[0].activePowerKW, b: phases[1].activePowerKW, c: phases[2].activePowerKW).unwrapped,
                  let kvar = PerPhase<Double?>(a: phases[0].reactivePowerKvar, b: phases[1].reactivePowerKvar, c: phases[2].reactivePowerKvar).unwrapped
            else {
                // A "not implemented" marker where a value must be: the reading cannot be used.
                alarms.append(FieldAlarm(code: "METER_VALUE_MISSING", device: "meter", message: "a per-phase V, A, W, var or Hz is not implemented or not readable"))
                return nil
            }
            totalKW = values.totalActivePowerKW
            let raw = MeterReading(time: now, voltageV: volts, currentA: amps, activePowerKW: kw, reactivePowerKvar: kvar, frequencyHz: hz)
            return config.meter.calibration.apply(to: raw)
        }
    }

    private func readCharger(
        _ charger: ChargerConfig, _ device: FieldDevice, now: Timestamp, alarms: inout [FieldAlarm]
    ) -> (ChargerState, voltageV: Double?) {
        var state = ChargerState(
            id: charger.id, connection: charger.phase, ratedChargeKW: charger.ratedChargeKW,
            ratedDischargeKW: charger.ratedDischargeKW, ratedKVA: charger.ratedKVA, online: false)
        let result = device.use(now: now) { (port: inout ModbusRegisterPort, map: SunSpecDevice) throws -> (DERValues, EVSession?) in
            (try map.readDER(reader: &port), try map.readEVSession(reader: &port))
        }
        switch result {
        case .failure(let alarm):
            alarms.append(alarm)
        case .success(let (der, session)):
            guard let watts: Double = der.activePowerKW, watts.isFinite else {
                alarms.append(FieldAlarm(code: "CHARGER_VALUE_MISSING", device: charger.id, message: "701 W not readable"))
                return (state, nil)
            }
            // A value no charger of this nameplate can produce is garbage, not a measurement: plan it at 0.
            let ceiling = 1.5 * max(charger.ratedChargeKW, charger.ratedDischargeKW, charger.ratedKVA)
            let kvar = der.reactivePowerKvar ?? 0
            guard abs(watts) <= ceiling, kvar.isFinite, abs(kvar) <= ceiling else {
                alarms.append(FieldAlarm(
                    code: "CHARGER_VALUE_IMPLAUSIBLE", device: charger.id,
                    message: "reads \(watts) kW / \(kvar) kvar on a \(charger.ratedKVA) kVA nameplate"))
                return (state, nil)
            }
            state.online = true
            state.measuredKW = -watts
            state.measuredKvar = kvar
            if let session, session.plugged {
                if let raw = session.invalidDischargeAgreement {
                    // Same key as the cycle's EV_DATA_INVALID for SoC and temperature: one alarm per charger.
                    alarms.append(FieldAlarm(
                        code: "EV_DATA_INVALID", device: charger.id,
                        message: "V2G agreement (64901 V2GAgr) reads \(raw): neither 0 nor 1; no discharge"))
                }
                state.ev = EVState(
                    socPercent: der.storage?.stateOfChargePct ?? .nan,
                    batteryTempC: session.batteryTempC ?? .nan,
                    capacityKWh: der.storage?.capacityKWh ?? .nan,
                    requestedKW: session.requestedKW ?? 0,
                    departure: session.departureEpochS.map { Timestamp(secondsSinceEpoch: $0) },
                    energyNeededKWh: session.energyNeededKWh,
                    dischargeAllowed: session.dischargeAgreed,
                    dischargeBudgetKWh: session.dischargeBudgetKWh)
            }
            return (state, der.lineToNeutralVoltageV)
        }
        return (state, nil)
    }

    /// Two sources for one quantity must agree within `percent`: each phase's voltage at the meter against
    /// the median of the single-phase chargers on that phase, and the meter's total W against its phases' sum.
    static func disagreements(
        _ meter: MeterReading, totalKW: Double?, chargerVoltages: [(PhaseConnection, Double)], percent: Double
    ) -> [FieldAlarm] {
        var alarms: [FieldAlarm] = []
        for phase in Phase.allCases {
            let volts = chargerVoltages.filter { $0.0 == .single(phase) && $0.1.isFinite && $0.1 > 0 }.map(\.1).sorted()
            guard !volts.isEmpty, meter.voltageV[phase] > 0 else { continue }
            let median = volts[volts.count / 2]
            let gap = abs(median - meter.voltageV[phase]) / meter.voltageV[phase] * 100
            if gap > percent {
                alarms.append(FieldAlarm(
                    code: "SOURCE_DISAGREEMENT", device: "meter",
                    message: "phase \(phase) voltage: meter \(meter.voltageV[phase]) V, chargers \(median) V (\(Int(gap.rounded())) % apart, limit \(percent) %)"))
            }
        }
        let sum = meter.activePowerKW.sum
        if let totalKW, totalKW.isFinite, max(abs(totalKW), abs(sum)) > 1 {
            let gap = abs(totalKW - sum) / max(abs(totalKW), abs(sum)) * 100
            if gap > percent {
                alarms.append(FieldAlarm(
                    code: "SOURCE_DISAGREEMENT", device: "meter",
                    message: "total W \(totalKW) kW against the phases' sum \(sum) kW (\(Int(gap.rounded())) % apart, limit \(percent) %)"))
            }
        }
        return alarms
    }

    public func write(_ setpoints: [ChargerSetpoint], reversionTimeoutS: Double, now: Timestamp) -> FieldWriteResult {
        var result = FieldWriteResult()
        let byID = Dictionary(uniqueKeysWithValues: zip(config.chargers.map(\.id), zip(config.chargers, chargers)))
        let reversion = UInt32(clamping: Int(reversionTimeoutS.rounded(.up)))
        for setpoint in setpoints {
            guard let (charger, device) = byID[setpoint.chargerID] else { continue }
            let outcome = device.use(now: now) { (port: inout ModbusRegisterPort, map: SunSpecDevice) throws -> Void in
                let writer = try device.controlWriter(&port, map)
                // Core: + charging; SunSpec 704: + injection.
                let active = try writer.activePower(
                    watts: -setpoint.activePowerKW * 1000, maxInjectW: charger.ratedDischargeKW * 1000,
                    maxAbsorbW: charger.ratedChargeKW * 1000, reversionS: reversion)
                let kva = charger.ratedKVA * 1000
                let reactive = try writer.reactivePower(
                    vars: setpoint.reactivePowerKvar * 1000, maxInjectVar: kva, maxAbsorbVar: kva, reversionS: reversion)
                try active.apply(to: &port)
                try reactive.apply(to: &port)
                try active.verify(reader: &port)
                try reactive.verify(reader: &port)
            }
            if case .failure(let alarm) = outcome {
                result.failedChargerIDs.insert(setpoint.chargerID)
                result.alarms.append(FieldAlarm(code: "WRITE_FAILED", device: alarm.device, message: "\(alarm.code): \(alarm.message)"))
            }
        }
        return result
    }
}

extension PerPhase where Value == Double? {
    /// All three values, or nil when any is missing.
    var unwrapped: PerPhase<Double>? {
        guard let a, let b, let c else { return nil }
        return PerPhase<Double>(a: a, b: b, c: c)
    }
}
