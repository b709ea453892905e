import EdgeSQLite
import FoundationEssentials

/// The policy store's one connection and its statements; only ever lent out by the store's `SerializedDatabase`.
final class PolicyConnection {
    let db: SQLiteDatabase
    private let upsertRollout: SQLiteStatement
    private let upsertAgent: SQLiteStatement

    init(_ db: SQLiteDatabase) throws {
        self.db = db
        // The newest revision wins: two saves that finish out of order leave the newer state.
        upsertRollout = try db.prepare("""
            INSERT INTO rollouts (id, version, bundle, canary, waves, soak_ms, max_failures, state, stage, stage_opened_at_ms,
                soak_started_at_ms, halt_reasons, created_at_ms, created_by, updated_at_ms, revision)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
            ON CONFLICT (id) DO UPDATE SET state = excluded.state, stage = excluded.stage,
                stage_opened_at_ms = excluded.stage_opened_at_ms, soak_started_at_ms = excluded.soak_started_at_ms,
                halt_reasons = excluded.halt_reasons, updated_at_ms = excluded.updated_at_ms, revision = excluded.revision
            WHERE rollouts.revision < excluded.revision
            """)
        upsertAgent = try db.prepare("""
            INSERT INTO rollout_agents (rollout_id, agent_id, position, stage, status, code, reason, trips, safe_state_s, alarms,
                applied_at_ms, reported_at_ms, agent_time, fetched_at_ms, tolerated, revision)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
            ON CONFLICT (rollout_id, agent_id) DO UPDATE SET status = excluded.status, code = excluded.code,
                reason = excluded.reason, trips = excluded.trips, safe_state_s = excluded.safe_state_s, alarms = excluded.alarms,
                applied_at_ms = excluded.applied_at_ms, reported_at_ms = excluded.reported_at_ms, agent_time = excluded.agent_time,
                fetched_at_ms = excluded.fetched_at_ms, tolerated = excluded.tolerated, revision = excluded.revision
            WHERE rollout_agents.revision < excluded.revision
            """)
    }

    // MARK: Rollouts

    func insert(_ rollout: Rollout, bundle: [UInt8]) throws {
        try db.transaction {
            let existing = try db.prepare("SELECT id FROM rollouts WHERE id = ? OR version = ?")
            try existing.bind(.integer(rollout.id), .integer(Int64(rollout.version)))
            guard try !existing.step() else {
                throw PolicyStoreError.conflict("a rollout with id \(rollout.id) or of version \(rollout.version) is already stored")
            }
            try write(rollout, bundle: bundle)
            for position in rollout.agents.indices { try write(rollout.agents[position], position: position, of: rollout) }
        }
    }

    func save(_ rollout: Rollout, agents: [String]) throws {
        let wanted = Set(agents)
        try db.transaction {
            try write(rollout, bundle: [])
            for (position, agent) in rollout.agents.enumerated() where wanted.contains(agent.agentID) {
                try write(agent, position: position, of: rollout)
            }
        }
    }

    private func write(_ rollout: Rollout, bundle: [UInt8]) throws {
        let plan = rollout.plan
        try upsertRollout.bind(
            .integer(rollout.id), .integer(Int64(rollout.version)), .blob(bundle), .integer(Int64(plan.canary)),
            .integer(Int64(plan.waves)), .integer(plan.soakMs), .integer(Int64(plan.maxFailures)), .text(rollout.state.rawValue),
            .integer(Int64(rollout.stage)), .integer(rollout.stageOpenedAtMs), rollout.soakStartedAtMs.map { .integer($0) } ?? .null,
            .text(JSONList.encode(rollout.haltReasons)), .integer(rollout.createdAtMs), .text(rollout.createdBy),
            .integer(rollout.updatedAtMs), .integer(rollout.revision))
        while try upsertRollout.step() {}
        upsertRollout.reset()
    }

    private func write(_ agent: AgentProgress, position: Int, of rollout: Rollout) throws {
        var code: SQLiteValue = .null
        if case .rejected(let refusal) = agent.status { code = .text(refusal) }
        try upsertAgent.bind(
            .integer(rollout.id), .text(agent.agentID), .integer(Int64(position)), .integer(Int64(agent.stage)), .text(agent.status.word),
            code, agent.reason.map { .text($0) } ?? .null, .integer(Int64(agent.health.trips)), .real(agent.health.safeStateS),
            .text(JSONList.encode(agent.health.alarms)), agent.appliedAtMs.map { .integer($0) } ?? .null,
            agent.reportedAtMs.map { .integer($0) } ?? .null, agent.agentTime.map { .text($0) } ?? .null,
            agent.fetchedAtMs.map { .integer($0) } ?? .null, .integer(agent.tolerated ? 1 : 0), .integer(rollout.revision))
        while try upsertAgent.step() {}
        upsertAgent.reset()
    }

    func rollouts() throws -> [StoredRollout] {
        let headers = try db.prepare("""
            SELECT id, version, bundle, canary, waves, soak_ms, max_failures, state, stage, stage_opened_at_ms, soak_started_at_ms,
                halt_reasons, created_at_ms, created_by, updated_at_ms, revision FROM rollouts ORDER BY id
            """)
        let agentRows = try db.prepare("""
            SELECT agent_id, stage, status, code, reason, trips, safe_state_s, alarms, applied_at_ms, reported_at_ms, agent_time,
                fetched_at_ms, tolerated FROM rollout_agents WHERE rollout_id = ? ORDER BY position
            """)
        var stored: [StoredRollout] = []
        try headers.forEachRow { row in
            let id = row.int64(at: 0)
            try agentRows.bind(.integer(id))
            var agents: [AgentProgress] = []
            try agentRows.forEachRow { agent in agents.append(try Self.agent(agent, rollout: id)) }
            agentRows.reset()
            guard let state = RolloutState(rawValue: row.string(at: 7)) else {
                throw PolicyStoreError.corrupt("rollout \(id) has the unknown state \"\(row.string(at: 7))\"")
            }
            // The stages are the plan's split of the stored order; check it against each row's own stage.
            let plan: RolloutPlan
            do {
                plan = try RolloutPlan(
                    agents: agents.map(\.agentID), canary: Int(row.int64(at: 3)), waves: Int(row.int64(at: 4)),
                    soakMs: row.int64(at: 5), maxFailures: Int(row.int64(at: 6)))
            } catch {
                throw PolicyStoreError.corrupt("rollout \(id): its stored plan is not valid: \(error)")
            }
            for agent in agents where plan.stages.indices.contains(agent.stage) == false || !plan.stages[agent.stage].contains(agent.agentID) {
                throw PolicyStoreError.corrupt("rollout \(id): agent \(agent.agentID) is stored in stage \(agent.stage), its plan says otherwise")
            }
            let rollout = Rollout(
                id: id, version: Int(row.int64(at: 1)), plan: plan, state: state, stage: Int(row.int64(at: 8)),
                stageOpenedAtMs: row.int64(at: 9), soakStartedAtMs: row.isNull(at: 10) ? nil : row.int64(at: 10),
                haltReasons: try JSONList.decode(row.string(at: 11), what: "rollout \(id) halt_reasons"), createdAtMs: row.int64(at: 12),
                createdBy: row.string(at: 13), updatedAtMs: row.int64(at: 14), revision: row.int64(at: 15), agents: agents)
            stored.append(StoredRollout(rollout: rollout, bundle: row.blob(at: 2)))
        }
        return stored
    }

    private static func agent(_ row: SQLiteStatement, rollout: Int64) throws -> AgentProgress {
        let id = row.string(at: 0)
        let status: AgentRolloutStatus
        switch row.string(at: 2) {
        case "pending": status = .pending
        case "applied": status = .applied
        case "reverted": status = .reverted
        case "rejected" where !row.isNull(at: 3): status = .rejected(code: row.string(at: 3))
        case let other: throw PolicyStoreError.corrupt("rollout \(rollout), agent \(id): unknown status \"\(other)\"")
        }
        func optionalInt(_ column: Int) -> Int64? { row.isNull(at: column) ? nil : row.int64(at: column) }
        return AgentProgress(
            agentID: id, stage: Int(row.int64(at: 1)), status: status, reason: row.isNull(at: 4) ? nil : row.string(at: 4),
            health: AgentHealth(
                trips: Int(row.int64(at: 5)), safeStateS: row.double(at: 6),
                alarms: try JSONList.decode(row.string(at: 7), what: "rollout \(rollout), agent \(id) alarms")),
            appliedAtMs: optionalInt(8), reportedAtMs: optionalInt(9), agentTime: row.isNull(at: 10) ? nil : row.string(at: 10),
            fetchedAtMs: optionalInt(11), tolerated: row.int64(at: 12) != 0)
    }

    // MARK: Roots, known agents, audit

    func roots() throws -> [StoredRoot] {
        try db.prepare("SELECT version, envelope, added_at_ms, added_by FROM roots ORDER BY version").rows { row in
            StoredRoot(version: Int(row.int64(at: 0)), envelope: row.blob(at: 1), addedAtMs: row.int64(at: 2), addedBy: row.string(at: 3))
        }
    }

    func insert(_ root: StoredRoot) throws {
        try db.transaction {
            let existing = try db.prepare("SELECT version FROM roots WHERE version = ?")
            try existing.bind(.integer(Int64(root.version)))
            guard try !existing.step() else { throw PolicyStoreError.conflict("root version \(root.version) is already stored") }
            let insert = try db.prepare("INSERT INTO roots (version, envelope, added_at_ms, added_by) VALUES (?, ?, ?, ?)")
            try insert.bind(.integer(Int64(root.version)), .blob(root.envelope), .integer(root.addedAtMs), .text(root.addedBy))
            while try insert.step() {}
        }
    }

    func knownAgents() throws -> [String] {
        try db.prepare("SELECT agent_id FROM known_agents ORDER BY agent_id").rows { $0.string(at: 0) }
    }

    func remember(_ agents: [String], nowMs: Int64) throws {
        try db.transaction {
            let insert = try db.prepare("INSERT INTO known_agents (agent_id, first_seen_ms) VALUES (?, ?) ON CONFLICT (agent_id) DO NOTHING")
            for agent in agents {
                try insert.bind(.text(agent), .integer(nowMs))
                while try insert.step() {}
                insert.reset()
            }
        }
    }

    func append(_ entry: AuditEntry) throws -> AuditEntry {
        try db.transaction {
            let next = try db.prepare("SELECT COALESCE(MAX(id), 0) + 1 FROM audit_log").rows { $0.int64(at: 0) }.first ?? 1
            let insert = try db.prepare("""
                INSERT INTO audit_log (id, at_ms, operator, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            try insert.bind(
                .integer(next), .integer(entry.atMs), .text(entry.operatorName), .text(entry.action), .text(entry.target),
                .text(entry.outcome), .text(entry.detail))
            while try insert.step() {}
            var stored = entry
            stored.id = next
            return stored
        }
    }

    func audit(limit: Int, beforeID: Int64?) throws -> [AuditEntry] {
        let select = try db.prepare("""
            SELECT id, at_ms, operator, action, target, outcome, detail FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?
            """)
        try select.bind(.integer(beforeID ?? .max), .integer(Int64(max(1, limit))))
        return try select.rows { row in
            AuditEntry(
                id: row.int64(at: 0), atMs: row.int64(at: 1), operatorName: row.string(at: 2), action: row.string(at: 3),
                target: row.string(at: 4), outcome: row.string(at: 5), detail: row.string(at: 6))
        }
    }
}

/// Lists of strings (halt reasons, alarms) in one TEXT column, as a JSON array.
enum JSONList {
    static func encode(_ items: [String]) -> String {
        // Encoding an array of strings cannot fail.
        (try? String(decoding: JSONEncoder().encode(items), as: UTF8.self)) ?? "[]"
    }

    static func decode(_ text: String, what: String) throws -> [String] {
        do { return try JSONDecoder().decode([String].self, from: Data(text.utf8)) } catch {
            throw PolicyStoreError.corrupt("\(what) is not a JSON list of strings: \(text.prefix(80))")
        }
    }
}
