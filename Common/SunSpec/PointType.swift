/// SunSpec point types (SunSpec Information Model Specification, "Data types"), each with its register count.
public enum SunSpecPointType: Sendable, Hashable {
    case int16, uint16, enum16, bitfield16, sunssf, pad
    case int32, uint32, acc32, enum32, bitfield32, float32
    case uint64, acc64
    /// UTF-8 text, two bytes per register, NUL padded.
    case string(words: Int)

    /// Registers the point occupies.
    public var words: Int {
        switch self {
        case .int16, .uint16, .enum16, .bitfield16, .sunssf, .pad: 1
        case .int32, .uint32, .acc32, .enum32, .bitfield32, .float32: 2
        case .uint64, .acc64: 4
        case .string(let words): words
        }
    }

    /// The raw registers that mean "not implemented" for this type.
    public var notImplemented: [UInt16] {
        switch self {
        case .int16, .sunssf: [0x8000]
        case .uint16, .enum16, .bitfield16: [0xFFFF]
        case .pad: [0x8000]
        case .int32: [0x8000, 0x0000]
        case .uint32, .enum32, .bitfield32: [0xFFFF, 0xFFFF]
        case .acc32: [0, 0]
        case .float32: [0x7FC0, 0x0000]
        case .uint64: [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF]
        case .acc64: [0, 0, 0, 0]
        case .string(let words): Array(repeating: 0, count: words)
        }
    }
}

/// One point of a model: its name, its offset from the first register after ID and L, its type and scale factor.
public struct SunSpecPoint: Sendable, Hashable {
    public let name: String
    /// Offset from the model's first data register (the register after L).
    public let offset: Int
    public let type: SunSpecPointType
    /// Name of the sunssf point of the same model that scales this point, if any.
    public let scaleFactor: String?

    public init(name: String, offset: Int, type: SunSpecPointType, scaleFactor: String? = nil) {
        self.name = name
        self.offset = offset
        self.type = type
        self.scaleFactor = scaleFactor
    }
}

/// A model's register layout. `length` is L: the registers after ID and L.
public struct SunSpecModelDefinition: Sendable, Hashable {
    public let id: UInt16
    public let name: String
    public let length: Int
    public let points: [SunSpecPoint]

    /// Lays points out back to back from offset 0, in the order given; L is the sum of their sizes.
    public init(id: UInt16, name: String, layout: [(name: String, type: SunSpecPointType, scaleFactor: String?)]) {
        var offset = 0
        var points: [SunSpecPoint] = []
        for entry in layout {
            points.append(SunSpecPoint(name: entry.name, offset: offset, type: entry.type, scaleFactor: entry.scaleFactor))
            offset += entry.type.words
        }
        self.id = id
        self.name = name
        self.length = offset
        self.points = points
    }

    /// The point called `name`, if the model has one.
    public func point(_ name: String) -> SunSpecPoint? {
        points.first { $0.name == name }
    }
}
