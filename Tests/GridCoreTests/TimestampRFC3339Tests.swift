import GridCore
import Testing

@Suite("Timestamp: RFC 3339")
struct TimestampRFC3339Tests {
    @Test("known instants", arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2000-02-29T12:00:00Z", 951_825_600),
        ("2027-01-31T00:00:00Z", 1_801_353_600),
        ("2027-01-31T02:00:00+02:00", 1_801_353_600),
        ("2027-01-30T19:30:00-04:30", 1_801_353_600),
        ("1969-12-31T23:59:59Z", -1),
        ("2026-06-01T00:00:00.25Z", 1_780_272_000.25),
    ])
    func parses(text: String, seconds: Double) {
        #expect(Timestamp(rfc3339: text)?.secondsSinceEpoch == seconds)
    }

    @Test("refused", arguments: [
        "2027-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2027-13-01T00:00:00Z", "2027-01-01T24:00:00Z",
        "2027-01-01t00:00:00z", "2027-01-01T00:00:00", "2027-01-01 00:00:00Z", "2027-01-01T00:00:00.Z",
        "2027-01-01T00:00:00+0200", "0000-01-01T00:00:00Z", "2027-01-01T00:00:00Z ", "",
    ])
    func refused(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test("formats in UTC and reads back")
    func roundTrip() {
        for seconds in [0.0, 951_825_600, 1_801_353_600, -86_401, 1_780_272_000.25, 253_402_300_799] {
            let time = Timestamp(secondsSinceEpoch: seconds)
            #expect(Timestamp(rfc3339: time.rfc3339) == time, "\(time.rfc3339)")
        }
        #expect(Timestamp(secondsSinceEpoch: 1_801_353_600).rfc3339 == "2027-01-31T00:00:00Z")
        #expect(Timestamp(secondsSinceEpoch: 1_780_272_000.25).rfc3339 == "2026-06-01T00:00:00.250Z")
        #expect(Timestamp(utcYear: 2027, month: 1, day: 31) == Timestamp(secondsSinceEpoch: 1_801_353_600))
        #expect(Timestamp(utcYear: 2027, month: 2, day: 29) == nil)
    }
}
