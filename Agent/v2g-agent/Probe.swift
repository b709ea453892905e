import AgentKit
import ArgumentParser
import FoundationEssentials
import GridCore

/// Commissioning: one poll of the field with the real field bus, printed. No control, no writes.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Poll every configured device once and print what the agent reads, with every field alarm.",
        discussion: """
            Uses the same Modbus/SunSpec reader as `run`, once, and writes nothing to any device (no 704 write,
            no cache, no status file). Exit 0 when every device answered with usable values, 2 when some did not
            (what was read is still printed), 1 when the configuration is refused. See docs/interop.md.
            """
    )

    @Option(name: .long, help: "Agent configuration file (JSON; # and // comment lines allowed).")
    var config: String

    @Flag(name: .long, help: "Print the reading as JSON (snake_case keys, stable).")
    var json = false

    func run() throws {
        let loaded: AgentConfig
        do {
            loaded = try AgentConfig.load(path: config).config
        } catch {
            throw fail(error.description)
        }
        let reading = ModbusFieldBus(config: loaded).poll(now: .wallClock())
        let report = ProbeReport(config: loaded, reading: reading)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            do {
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } catch {
                throw fail("cannot encode the probe report: \(error)")
            }
        } else {
            print(report.text())
        }
        if !report.allAnswered { throw ExitCode(2) }
    }
}

/// One poll as printed by `v2g-agent probe --json`. Every value is as the control core sees it:
/// calibrated meter, charger power + charging. A value the device did not give is null.
struct ProbeReport: Encodable {
    struct MeterPhase: Encodable {
        @Null var voltageV: Double?
        @Null var currentA: Double?
        @Null var activePowerKW: Double?
        @Null var reactivePowerKvar: Double?
        enum CodingKeys: String, CodingKey {
            case voltageV = "voltage_v", currentA = "current_a", activePowerKW = "active_power_kw", reactivePowerKvar = "reactive_power_kvar"
        }
    }

    struct Meter: Encodable {
        var device: String
        var answered: Bool
        @Null var frequencyHz: Double?
        var phases: [String: MeterPhase]
        enum CodingKeys: String, CodingKey { case device, answered, frequencyHz = "frequency_hz", phases }
    }

    struct Temperatures: Encodable {
        var device: String
        var answered: Bool
        @Null var ambientC: Double?
        @Null var topOilC: Double?
        enum CodingKeys: String, CodingKey { case device, answered, ambientC = "ambient_c", topOilC = "top_oil_c" }
    }

    struct EV: Encodable {
        @Null var socPercent: Double?
        @Null var batteryTempC: Double?
        @Null var capacityKWh: Double?
        @Null var requestedKW: Double?
        @Null var departureS: Double?
        @Null var energyNeededKWh: Double?
        var dischargeAllowed: Bool
        @Null var dischargeBudgetKWh: Double?
        enum CodingKeys: String, CodingKey {
            case socPercent = "soc_pct", batteryTempC = "battery_temp_c", capacityKWh = "capacity_kwh", requestedKW = "requested_kw"
            case departureS = "departure_s", energyNeededKWh = "energy_needed_kwh", dischargeAllowed = "discharge_allowed"
            case dischargeBudgetKWh = "discharge_budget_kwh"
        }
    }

    struct Charger: Encodable {
        var id: String
        var phase: String
        var device: String
        var online: Bool
        @Null var measuredKW: Double?
        @Null var measuredKvar: Double?
        /// nil when no EV is plugged in, or the charger publishes no EV session (64901).
        @Null var ev: EV?
        enum CodingKeys: String, CodingKey {
            case id, phase, device, online, measuredKW = "measured_kw", measuredKvar = "measured_kvar", ev
        }
    }

    var agentID: String
    var timeS: Double
    var allAnswered: Bool
    var meter: Meter
    @Null var temperatures: Temperatures?
    var chargers: [Charger]
    var alarms: [FieldAlarm]

    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id", timeS = "time_s", allAnswered = "all_answered", meter, temperatures, chargers, alarms
    }

    init(config: AgentConfig, reading: FieldReading, time: Timestamp = .wallClock()) {
        let inputs = reading.inputs
        agentID = config.agentID
        timeS = inputs.meter?.time.secondsSinceEpoch ?? time.secondsSinceEpoch
        alarms = reading.alarms
        let m = inputs.meter
        meter = Meter(
            device: config.meter.transport.description, answered: m != nil, frequencyHz: finite(m?.frequencyHz),
            phases: Dictionary(uniqueKeysWithValues: Phase.allCases.map { phase in
                (phase.rawValue, MeterPhase(
                    voltageV: finite(m?.voltageV[phase]), currentA: finite(m?.currentA[phase]),
                    activePowerKW: finite(m?.activePowerKW[phase]), reactivePowerKvar: finite(m?.reactivePowerKvar[phase])))
            }))
        // FieldBus names the temperature block "temperature" in its alarms; any alarm there means it did not answer.
        let temperatures = config.temperature.map { sensor in
            Temperatures(
                device: sensor.transport.description, answered: !reading.alarms.contains { $0.device == "temperature" },
                ambientC: finite(inputs.ambientC), topOilC: finite(inputs.topOilC))
        }
        self.temperatures = temperatures
        chargers = zip(config.chargers, inputs.chargers).map { configured, state in
            Charger(
                id: state.id, phase: state.connection.description, device: configured.transport.description, online: state.online,
                measuredKW: state.online ? finite(state.measuredKW) : nil, measuredKvar: state.online ? finite(state.measuredKvar) : nil,
                ev: state.ev.map { ev in
                    EV(socPercent: finite(ev.socPercent), batteryTempC: finite(ev.batteryTempC), capacityKWh: finite(ev.capacityKWh),
                       requestedKW: finite(ev.requestedKW), departureS: finite(ev.departure?.secondsSinceEpoch),
                       energyNeededKWh: finite(ev.energyNeededKWh), dischargeAllowed: ev.dischargeAllowed,
                       dischargeBudgetKWh: finite(ev.dischargeBudgetKWh))
                })
        }
        allAnswered = meter.answered && (temperatures?.answered ?? true) && inputs.chargers.allSatisfy(\.online)
    }

    /// The same reading for a person at the cabinet.
    func text() -> String {
        var lines = ["agent \(agentID)   \(allAnswered ? "every device answered" : "SOME DEVICES DID NOT ANSWER")"]
        lines.append("meter (\(meter.device))" + (meter.answered ? "   \(show(meter.frequencyHz, 3)) Hz" : "   NO USABLE READING"))
        if meter.answered {
            for phase in Phase.allCases {
                guard let p = meter.phases[phase.rawValue] else { continue }
                lines.append("  \(phase.rawValue)  \(show(p.voltageV, 1)) V  \(show(p.currentA, 1)) A  \(show(p.activePowerKW, 3)) kW  \(show(p.reactivePowerKvar, 3)) kvar")
            }
        }
        if let t = temperatures {
            lines.append("temperatures (\(t.device))" + (t.answered
                ? "   ambient \(show(t.ambientC, 1)) °C   top oil \(show(t.topOilC, 1)) °C" : "   NO ANSWER"))
        }
        lines.append("chargers (+ kW = charging)")
        for c in chargers {
            var line = "  \(c.id.padding(10)) \(c.phase.padding(4)) "
            guard c.online else {
                lines.append(line + "OFFLINE   (\(c.device))")
                continue
            }
            line += "\(show(c.measuredKW, 3)) kW  \(show(c.measuredKvar, 3)) kvar"
            if let ev = c.ev {
                line += "   EV: SoC \(show(ev.socPercent, 1)) %, requests \(show(ev.requestedKW, 2)) kW, needs \(show(ev.energyNeededKWh, 1)) kWh, V2G \(ev.dischargeAllowed ? "allowed" : "refused")"
            } else {
                line += "   no EV"
            }
            lines.append(line)
        }
        lines.append(alarms.isEmpty ? "alarms: none" : "alarms:")
        for alarm in alarms { lines.append("  \(alarm)") }
        return lines.joined(separator: "\n")
    }
}

/// Encodes an absent value as `null` rather than leaving the key out, so the document's keys never change.
@propertyWrapper
struct Null<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

/// JSON has no NaN or infinity: a value that is not a number is reported as absent.
private func finite(_ value: Double?) -> Double? {
    guard let value, value.isFinite else { return nil }
    return value
}

/// Fixed decimals for the text view; "-" for a missing value.
private func show(_ value: Double?, _ decimals: Int) -> String {
    guard let value else { return "-" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale + 0  // + 0 turns −0 into 0
    var text = String(rounded)
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    let fraction = parts.count > 1 ? parts[1].count : 0
    if decimals > 0 && parts.count == 1 { text += "." }
    if fraction < decimals { text += String(repeating: "0", count: decimals - fraction) }
    return text
}
