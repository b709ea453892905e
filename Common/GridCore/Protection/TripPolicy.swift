/// The policy's `trip` block: a category, and optional settings that override its defaults.
///
/// ```json
/// "trip": { "category": "III", "uv1": { "pickup": 0.85, "clearing_time_s": 30 } }
/// ```
/// A function that is given overrides the category's default (either key may be left out and keeps the default);
/// the others keep the defaults. There is no nominal frequency here: the transformer's `nominal_hz` is the only one,
/// and frequency pickups are in Hz at that frequency.
public struct TripPolicy: Sendable, Hashable, Codable {
    /// One function's override; a missing key keeps the category's default.
    public struct Override: Sendable, Hashable, Codable {
        public var pickup: Double?
        public var clearingTimeS: Double?

        public init(pickup: Double? = nil, clearingTimeS: Double? = nil) {
            self.pickup = pickup
            self.clearingTimeS = clearingTimeS
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case pickup, clearingTimeS = "clearing_time_s"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            pickup = try c.decodeIfPresent(Double.self, forKey: .pickup)
            clearingTimeS = try c.decodeIfPresent(Double.self, forKey: .clearingTimeS)
        }
    }

    public var category: AbnormalCategory
    public var overrides: [TripFunction: Override]

    public init(category: AbnormalCategory = .ii, overrides: [TripFunction: Override] = [:]) {
        self.category = category
        self.overrides = overrides
    }

    /// The eight settings at `nominalHz`: the category's defaults with the overrides applied.
    public func settings(nominalHz: Double) -> TripSettings {
        var settings = TripSettings.defaults(category, nominalHz: nominalHz)
        for (function, override) in overrides {
            if let pickup = override.pickup { settings[function].pickup = pickup }
            if let clearing = override.clearingTimeS { settings[function].clearingTimeS = clearing }
        }
        return settings
    }

    struct Key: CodingKey, Hashable {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }

        static let category = Key(stringValue: "category")
        init(_ function: TripFunction) { stringValue = function.rawValue.lowercased() }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let known = ["category"] + TripFunction.allCases.map { Key($0).stringValue }
        for key in c.allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c, debugDescription: "unknown key \"\(key.stringValue)\"; allowed: \(known.joined(separator: ", "))")
        }
        if let text = try c.decodeIfPresent(String.self, forKey: .category) {
            guard let category = AbnormalCategory(rawValue: text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .category, in: c, debugDescription: "\"\(text)\" is not a category; allowed: I, II, III")
            }
            self.category = category
        } else {
            category = .ii
        }
        overrides = [:]
        for function in TripFunction.allCases {
            if let override = try c.decodeIfPresent(Override.self, forKey: Key(function)) { overrides[function] = override }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(category.rawValue, forKey: .category)
        for function in TripFunction.allCases {
            if let override = overrides[function] { try c.encode(override, forKey: Key(function)) }
        }
    }
}
