import GridCore
import SunSpec

/// Every device's register image, kept clean between publishes (garbage goes only into the copy that is served).
struct FieldImages: Sendable {
    /// What one publish serves: the registers of each device (nil: leave the meter as it is).
    struct Served {
        var meter: [UInt16]?
        var temperatures: [UInt16]
        var chargers: [[UInt16]]
    }

    var meter: MeterImage
    var temperatures: TemperatureImage
    var chargers: [ChargerImage]
    /// Each charger's EV request at the last publish (0 with no EV): what a released charger goes back to.
    private(set) var requestedKW: [String: Double] = [:]
    /// Energy counters run from the scenario's start.
    private var lastTime: Timestamp

    init(scenario: Scenario) throws {
        lastTime = scenario.startTime
        meter = try MeterImage(transformer: scenario.transformer)
        temperatures = try TemperatureImage()
        let nominalV = scenario.transformer.nominalPhaseVoltageV
        chargers = try scenario.chargers.indices.map { index in
            let largest = scenario.sessions(forChargerAt: index).map(\.batteryKWh).max() ?? 100
            return try ChargerImage(spec: scenario.chargers[index], nominalV: nominalV, maxBatteryKWh: max(largest, 1))
        }
    }

    /// Writes the observation into the images and returns what to serve.
    mutating func publish(_ observation: FieldObservation) -> Served {
        let elapsedS = max(observation.time - lastTime, 0)
        lastTime = observation.time
        let garbage = observation.garbageRegisters
        // `put` clamps every value to its register, so an update throws only for a point name missing from the
        // model definitions, which the SimField tests would show as unread values.
        meter.accumulate(observation.feeder.meter, elapsedS: elapsedS)
        var served = Served(meter: nil, temperatures: [], chargers: [])
        if !observation.meterFrozen {
            try? meter.update(observation.meter)
            served.meter = Self.serving(meter.image, device: "meter", garbage)
        }
        try? temperatures.update(ambientC: observation.ambientC, topOilC: observation.topOilC)
        served.temperatures = Self.serving(temperatures.image, device: "transformer", garbage)
        for index in chargers.indices {
            let id = chargers[index].spec.id
            if let charger = observation.chargers.first(where: { $0.id == id }) {
                chargers[index].accumulate(charger, elapsedS: elapsedS)
                try? chargers[index].update(charger, terminal: observation.feeder.meter)
                requestedKW[id] = charger.ev?.requestedKW ?? 0
            }
            served.chargers.append(Self.serving(chargers[index].image, device: id, garbage))
        }
        return served
    }

    /// The registers to serve for `device`: its image, with the listed points filled with garbage.
    private static func serving(_ image: SunSpecImageBuilder, device: String, _ garbage: [GarbageRegister]) -> [UInt16] {
        var copy = image
        for register in garbage where register.device == device { _ = copy.fillWithGarbage(register.point) }
        return copy.registers
    }
}
