import GridCore

extension FeederSimulation {
    /// The field now, as the meter, the temperature block and the chargers would report it.
    public func observe() -> FieldObservation {
        let truth = feederTruth()
        var meter = MeterNoise(seed: scenario.seed).apply(to: truth.meter)
        if let frozen = frozenMeter {
            // A frozen meter still answers; only its values have stopped changing.
            meter = frozen
            meter.time = time
        }
        return FieldObservation(
            time: time, meter: meter, meterFrozen: frozenMeter != nil, ambientC: ambientC,
            topOilC: thermal.topOilC, hotSpotC: thermal.hotSpotC,
            chargers: chargers.map(observe), garbageRegisters: garbageRegisters(), feeder: truth
        )
    }

    func observe(_ charger: ChargerModel) -> ChargerObservation {
        let spec = charger.spec
        // A setpoint past its reversion time is replaced even before the next step notices.
        let held = charger.setpoint?.inForce(at: time)
        return ChargerObservation(
            id: spec.id, connection: spec.connection, online: isOnline(spec.id),
            measuredKW: charger.activeKW, measuredKvar: charger.reactiveKvar,
            ratedChargeKW: spec.ratedChargeKW, ratedDischargeKW: spec.ratedDischargeKW, ratedKVA: spec.ratedKVA,
            setpointKW: held?.activeKW, setpointKvar: held.map(\.reactiveKvar),
            ev: charger.ev.map { ev in
                EVObservation(
                    sessionID: "\(spec.id)#\(ev.index)", socPercent: ev.socPercent, batteryTempC: ev.batteryTempC,
                    capacityKWh: ev.session.batteryKWh, requestedKW: ev.requestedKW,
                    targetSocPercent: ev.session.targetSocPercent, arrival: ev.session.arrival,
                    departure: ev.session.departure, dischargeAllowed: ev.session.v2gAllowed
                )
            }
        )
    }

    func garbageRegisters() -> [GarbageRegister] {
        scenario.events.compactMap { event in
            guard event.kind == .garbageRegisters, event.isActive(at: time),
                  let device = event.device, let point = event.point else { return nil }
            return GarbageRegister(device: device, point: point)
        }
    }
}
