/// One SQLite value, in the five storage classes SQLite has (https://sqlite.org/datatype3.html §2).
public enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    /// A double; SQLite stores NaN as NULL, so callers should not bind NaN.
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLiteValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByNilLiteral
{
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
}
