import EdgeSQLite
public import GridCore

/// The signed-policy path's share of the cache: reports waiting for the aggregator, and named records.
extension SQLiteAgentCache {
    public func dropActivePolicy() throws(CacheError) {
        try run("drop the active policy") { c in
            try c.db.execute("DELETE FROM policy WHERE slot = 'active' AND NOT EXISTS (SELECT 1 FROM policy WHERE slot = 'last_known_good')")
        }
    }

    public func enqueuePolicyReport(_ body: [UInt8], at time: Timestamp) throws(CacheError) {
        try run("keep a policy report") { c in
            try c.db.transaction {
                let insert = try c.db.prepare("INSERT INTO policy_reports (body, created_at) VALUES (?, ?)")
                try insert.bind(.blob(body), .real(time.secondsSinceEpoch))
                _ = try insert.step()
                let trim = try c.db.prepare("DELETE FROM policy_reports WHERE sequence <= ?")
                try trim.bind(.integer(c.db.lastInsertRowID - Int64(PolicyReportRecord.capacity)))
                _ = try trim.step()
            }
        }
    }

    public func pendingPolicyReports(limit: Int) throws(CacheError) -> [PolicyReportRecord] {
        try run("read the policy reports") { c in
            let select = try c.db.prepare("SELECT sequence, body, created_at FROM policy_reports ORDER BY sequence LIMIT ?")
            try select.bind(.integer(Int64(max(0, limit))))
            return try select.rows {
                PolicyReportRecord(sequence: $0.int64(at: 0), body: $0.blob(at: 1), createdAt: Timestamp(secondsSinceEpoch: $0.double(at: 2)))
            }
        }
    }

    public func removePolicyReport(sequence: Int64) throws(CacheError) {
        try run("remove an acknowledged policy report") { c in
            let delete = try c.db.prepare("DELETE FROM policy_reports WHERE sequence = ?")
            try delete.bind(.integer(sequence))
            _ = try delete.step()
        }
    }

    public func record(named name: String) throws(CacheError) -> [UInt8]? {
        try run("read the record \(name)") { c in
            let select = try c.db.prepare("SELECT value FROM records WHERE name = ?")
            try select.bind(.text(name))
            return try select.rows { $0.blob(at: 0) }.first
        }
    }

    public func storeRecord(_ value: [UInt8]?, named name: String) throws(CacheError) {
        try run("store the record \(name)") { c in
            if let value {
                let upsert = try c.db.prepare("INSERT OR REPLACE INTO records (name, value) VALUES (?, ?)")
                try upsert.bind(.text(name), .blob(value))
                _ = try upsert.step()
            } else {
                let delete = try c.db.prepare("DELETE FROM records WHERE name = ?")
                try delete.bind(.text(name))
                _ = try delete.step()
            }
        }
    }
}
