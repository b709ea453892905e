/// One value for each of the three phases.
public struct PerPhase<Value> {
    public var a: Value
    public var b: Value
    public var c: Value

    public init(a: Value, b: Value, c: Value) {
        self.a = a
        self.b = b
        self.c = c
    }

    public init(repeating value: Value) {
        self.init(a: value, b: value, c: value)
    }

    public init(_ make: (Phase) throws -> Value) rethrows {
        self.init(a: try make(.a), b: try make(.b), c: try make(.c))
    }

    public subscript(phase: Phase) -> Value {
        get {
            switch phase {
            case .a: a
            case .b: b
            case .c: c
            }
        }
        set {
            switch phase {
            case .a: a = newValue
            case .b: b = newValue
            case .c: c = newValue
            }
        }
    }

    public func map<T>(_ transform: (Value) throws -> T) rethrows -> PerPhase<T> {
        PerPhase<T>(a: try transform(a), b: try transform(b), c: try transform(c))
    }

    public var values: [Value] { [a, b, c] }
}

extension PerPhase: Sendable where Value: Sendable {}
extension PerPhase: Equatable where Value: Equatable {}
extension PerPhase: Hashable where Value: Hashable {}

extension PerPhase: Codable where Value: Codable {
    private enum CodingKeys: String, CodingKey { case a = "A", b = "B", c = "C" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            a: try container.decode(Value.self, forKey: .a),
            b: try container.decode(Value.self, forKey: .b),
            c: try container.decode(Value.self, forKey: .c)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(a, forKey: .a)
        try container.encode(b, forKey: .b)
        try container.encode(c, forKey: .c)
    }
}

extension PerPhase where Value: AdditiveArithmetic {
    public var sum: Value { a + b + c }
}
