extension RunFigures {
    /// Several transformers judged as one neighborhood, under the same names: for the figures of quality (neutral
    /// current, VUF, hot-spot, seconds outside the band) the worst transformer's value, for what adds up (loss of
    /// life, lapses, EVs and their energy) the sum. Every EV is kept, its id and charger prefixed with its transformer
    /// (`tx-elm/evse-01#0`), so that ids stay unique when two transformers use the same charger names.
    public init(neighborhood parts: [(transformer: String, figures: RunFigures)]) {
        let all = parts.map(\.figures)
        func worst(_ value: (RunFigures) -> Double?) -> Double? { all.compactMap(value).max() }
        elapsedS = all.map(\.elapsedS).max() ?? 0
        neutralMeanA = all.map(\.neutralMeanA).max() ?? 0
        neutralMax1MinA = worst(\.neutralMax1MinA)
        neutralMax10MinA = worst(\.neutralMax10MinA)
        vufP95TenMinutePercent = worst(\.vufP95TenMinutePercent)
        vufMaxTenMinutePercent = worst(\.vufMaxTenMinutePercent)
        hotSpotMaxC = worst(\.hotSpotMaxC)
        lossOfLifeHours = all.reduce(0) { $0 + $1.lossOfLifeHours }
        voltageOutsideBandS = all.map(\.voltageOutsideBandS).max() ?? 0
        setpointLapses = all.reduce(0) { $0 + $1.setpointLapses }
        evs = parts.flatMap { part in
            part.figures.evs.map { ev in
                var ev = ev
                ev.id = part.transformer + "/" + ev.id
                ev.chargerID = part.transformer + "/" + ev.chargerID
                return ev
            }
        }
    }
}
