public import GridCore

/// Runs the IEC 60076-7 model over a load profile and reports every whole minute.
public enum ThermalSimulation {
    /// The model's state at one whole minute.
    public struct Sample: Sendable, Hashable {
        public var minute: Int
        public var topOilC: Double
        public var hotSpotC: Double
        /// Relative ageing rate V at that minute's hot-spot.
        public var ageingRate: Double
    }

    /// The output CSV header.
    public static let header = "minute,top_oil_c,hot_spot_c,ageing_rate"

    /// Simulates from the first row's minute to the last row's.
    ///
    /// The start is `initial_top_oil_c`/`initial_hot_spot_rise` when the parameters give a top-oil, else the
    /// steady state at the first row's load and ambient.
    public static func run(_ profile: ThermalProfile, model: HotSpotModel) -> [Sample] {
        let rows = profile.rows
        let first = rows[0]
        var state = model.parameters.initialTopOilC == nil
            ? model.steadyState(loadPU: first.loadPU, ambientC: first.ambientC)
            : model.initialState(ambientC: first.ambientC)
        var now = first.minute
        var index = 0
        var samples: [Sample] = []
        let lastMinute = Int(rows[rows.count - 1].minute.rounded(.down))
        var minute = Int(first.minute.rounded(.up))
        while minute <= lastMinute {
            let target = Double(minute)
            while now < target {
                let change = index + 1 < rows.count ? rows[index + 1].minute : .infinity
                let end = min(target, change)
                state = model.step(state, loadPU: rows[index].loadPU, ambientC: rows[index].ambientC, minutes: end - now)
                now = end
                if now >= change { index += 1 }
            }
            // A row starting exactly now applies from now on.
            while index + 1 < rows.count, rows[index + 1].minute <= now { index += 1 }
            let rate = HotSpotModel.relativeAgeingRate(hotSpotC: state.hotSpotC, paper: model.paper)
            samples.append(Sample(minute: minute, topOilC: state.topOilC, hotSpotC: state.hotSpotC, ageingRate: rate))
            minute += 1
        }
        return samples
    }

    /// The samples as CSV: temperatures to 0.1 °C, ageing rate to 4 significant digits.
    public static func csv(_ samples: [Sample]) -> String {
        var out = header + "\n"
        for s in samples {
            out += "\(s.minute),\(ThermalNumberFormat.fixed(s.topOilC, decimals: 1)),"
            out += "\(ThermalNumberFormat.fixed(s.hotSpotC, decimals: 1)),"
            out += ThermalNumberFormat.significant(s.ageingRate, digits: 4) + "\n"
        }
        return out
    }

    /// The whole `thermal simulate` pipeline on file contents: parse, validate, run, format.
    public static func simulate(
        csv: String, csvName: String, transformerJSON: [UInt8]?, transformerName: String, paper: HotSpotModel.Paper
    ) throws(ThermalInputError) -> String {
        let profile = try ThermalProfile(csv: csv, fileName: csvName)
        let parameters = try transformerJSON.map { json throws(ThermalInputError) in
            try ThermalTransformerFile.parameters(json: json, fileName: transformerName)
        } ?? .onanDistribution
        let model: HotSpotModel
        do {
            model = try HotSpotModel(validating: parameters, paper: paper)
        } catch {
            throw .badParameter(transformerName, reason: error.message)
        }
        return Self.csv(run(profile, model: model))
    }
}
