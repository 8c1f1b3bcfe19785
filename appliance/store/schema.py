"""The database schema as numbered migration steps; `PRAGMA user_version` says how many have
been applied. Add a step at the end to change the schema; never edit a released step."""

from __future__ import annotations

# Step i takes a database from user_version i to i + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        # Asterisk queue_log meaning; append-only. data is a JSON array of strings.
        """CREATE TABLE queue_log (
            id INTEGER PRIMARY KEY,
            time_s REAL NOT NULL,
            call_id TEXT NOT NULL,
            queue TEXT NOT NULL,
            agent TEXT NOT NULL,
            verb TEXT NOT NULL,
            data TEXT NOT NULL
        )""",
        "CREATE INDEX queue_log_by_time ON queue_log (time_s)",
        "CREATE INDEX queue_log_by_call ON queue_log (call_id)",
        # one row per CallRecord (CDR), written once when the call ends
        """CREATE TABLE calls (
            call_id TEXT PRIMARY KEY,
            line TEXT NOT NULL,
            direction TEXT NOT NULL,
            number TEXT NOT NULL,
            name TEXT NOT NULL,
            arrived_s REAL NOT NULL,
            ended_s REAL NOT NULL,
            end_reason TEXT NOT NULL,
            queue TEXT NOT NULL,
            enqueued_s REAL,
            agent TEXT NOT NULL,
            connected_s REAL,
            wait_s REAL NOT NULL,
            talk_s REAL NOT NULL,
            hold_s REAL NOT NULL,
            transferred_from TEXT NOT NULL,
            recording_path TEXT NOT NULL,
            survey_score INTEGER,
            vip INTEGER NOT NULL
        )""",
        "CREATE INDEX calls_by_arrival ON calls (arrived_s)",
        "CREATE INDEX calls_by_number ON calls (number, arrived_s)",
        "CREATE INDEX calls_by_agent ON calls (agent, arrived_s)",
        # 回访: the task's state; its attempts are appended to callback_attempts
        """CREATE TABLE callback_tasks (
            task_id TEXT PRIMARY KEY,
            number TEXT NOT NULL,
            name TEXT NOT NULL,
            reason TEXT NOT NULL,
            call_id TEXT NOT NULL,
            queue TEXT NOT NULL,
            created_s REAL NOT NULL,
            due_s REAL NOT NULL,
            entered_s REAL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
            assigned_agent TEXT NOT NULL DEFAULT '',
            attempts INTEGER NOT NULL DEFAULT 0,
            outcome TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX callback_tasks_open ON callback_tasks (status, due_s)",
        """CREATE TABLE callback_attempts (
            id INTEGER PRIMARY KEY,
            task_id TEXT NOT NULL REFERENCES callback_tasks (task_id),
            time_s REAL NOT NULL,
            agent TEXT NOT NULL,
            outcome TEXT NOT NULL,
            note TEXT NOT NULL
        )""",
        "CREATE INDEX callback_attempts_by_task ON callback_attempts (task_id, time_s)",
        """CREATE TABLE blacklist (
            number TEXT PRIMARY KEY,
            by_agent TEXT NOT NULL,
            call_id TEXT NOT NULL,
            time_s REAL NOT NULL
        )""",
        # 故障记录
        """CREATE TABLE faults (
            id INTEGER PRIMARY KEY,
            device TEXT NOT NULL,
            reason TEXT NOT NULL,
            started_s REAL NOT NULL,
            cleared_s REAL
        )""",
        "CREATE INDEX faults_by_start ON faults (started_s)",
        "CREATE INDEX faults_open ON faults (device, cleared_s)",
        # the DepotSetup as JSON, one row per saved version; the newest is the setup in force
        """CREATE TABLE settings (
            id INTEGER PRIMARY KEY,
            saved_s REAL NOT NULL,
            schema_version INTEGER NOT NULL,
            setup_json TEXT NOT NULL
        )""",
        """CREATE TABLE users (
            agent_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
            password_hash TEXT NOT NULL,
            pin_hash TEXT NOT NULL,
            created_s REAL NOT NULL
        )""",
    ),
    (
        # the web desk: sessions, audit log, records (咨询 投诉 救援 预约 回访) with appended
        # history, customers by phone number, tickets, notices and the shift handover log
        """CREATE TABLE web_sessions (
            token_hash TEXT PRIMARY KEY,
            agent_id TEXT NOT NULL,
            csrf_token TEXT NOT NULL,
            created_s REAL NOT NULL,
            last_seen_s REAL NOT NULL
        )""",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            time_s REAL NOT NULL,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            detail TEXT NOT NULL
        )""",
        "CREATE INDEX audit_log_by_time ON audit_log (time_s)",
        """CREATE TABLE desk_records (
            record_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            call_id TEXT NOT NULL,
            number TEXT NOT NULL,
            agent TEXT NOT NULL,
            created_s REAL NOT NULL,
            fields_json TEXT NOT NULL
        )""",
        "CREATE INDEX desk_records_by_number ON desk_records (number, created_s)",
        """CREATE TABLE desk_record_history (
            id INTEGER PRIMARY KEY,
            record_id TEXT NOT NULL REFERENCES desk_records (record_id),
            time_s REAL NOT NULL,
            author TEXT NOT NULL,
            note TEXT NOT NULL
        )""",
        "CREATE INDEX desk_record_history_by_record ON desk_record_history (record_id, time_s)",
        """CREATE TABLE customers (
            number TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            customer_type TEXT NOT NULL,
            first_seen_s REAL NOT NULL,
            updated_s REAL NOT NULL
        )""",
        """CREATE TABLE tickets (
            ticket_id TEXT PRIMARY KEY,
            record_id TEXT NOT NULL REFERENCES desk_records (record_id),
            number TEXT NOT NULL,
            category TEXT NOT NULL,
            department TEXT NOT NULL,
            created_s REAL NOT NULL,
            escalation_level INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            closed_s REAL
        )""",
        "CREATE INDEX tickets_open ON tickets (status, created_s)",
        """CREATE TABLE ticket_history (
            id INTEGER PRIMARY KEY,
            ticket_id TEXT NOT NULL REFERENCES tickets (ticket_id),
            time_s REAL NOT NULL,
            author TEXT NOT NULL,
            action TEXT NOT NULL,
            note TEXT NOT NULL
        )""",
        "CREATE INDEX ticket_history_by_ticket ON ticket_history (ticket_id, time_s)",
        """CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            time_s REAL NOT NULL,
            author TEXT NOT NULL,
            text TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        )""",
        """CREATE TABLE handover_log (
            id INTEGER PRIMARY KEY,
            time_s REAL NOT NULL,
            author TEXT NOT NULL,
            text TEXT NOT NULL
        )""",
    ),
    (
        # 话术脚本: the script and FAQ tree the supervisor keeps (parent_id 0 = top level)
        """CREATE TABLE scripts (
            id INTEGER PRIMARY KEY,
            parent_id INTEGER NOT NULL DEFAULT 0,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_s REAL NOT NULL,
            updated_by TEXT NOT NULL
        )""",
        "CREATE INDEX scripts_by_parent ON scripts (parent_id, title)",
    ),
    (
        # daemon starts, found fast however long ago: figures are rebuilt from the last one
        "CREATE INDEX queue_log_starts ON queue_log (time_s) WHERE verb = 'QUEUESTART'",
    ),
    (
        # 质检: a supervisor's quality check of a recorded call; rows are only appended
        """CREATE TABLE quality_checks (
            id INTEGER PRIMARY KEY,
            call_id TEXT NOT NULL,
            time_s REAL NOT NULL,
            checker TEXT NOT NULL,
            agent TEXT NOT NULL,
            greeting INTEGER NOT NULL,
            accuracy INTEGER NOT NULL,
            attitude INTEGER NOT NULL,
            note TEXT NOT NULL
        )""",
        "CREATE INDEX quality_checks_by_call ON quality_checks (call_id, time_s)",
    ),
    (
        # each finished day's figure sums and end state, so long reports add days up
        """CREATE TABLE report_days (
            key TEXT NOT NULL,
            day TEXT NOT NULL,
            sums TEXT NOT NULL,
            state TEXT NOT NULL,
            PRIMARY KEY (key, day)
        ) WITHOUT ROWID""",
    ),
    (
        # 回访 that close: how a closed task ended (reached, unreachable, closed by a supervisor,
        # duplicate), who made it and why, the ticket it follows up; one open task a number
        "ALTER TABLE callback_tasks ADD COLUMN closed_as TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE callback_tasks ADD COLUMN closed_s REAL",
        "ALTER TABLE callback_tasks ADD COLUMN note TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE callback_tasks ADD COLUMN created_by TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE callback_tasks ADD COLUMN ticket_id TEXT NOT NULL DEFAULT ''",
        "UPDATE callback_tasks SET closed_as = 'reached' WHERE status = 'done'",
        """UPDATE callback_tasks SET status = 'done', closed_as = 'duplicate'
            WHERE status = 'open' AND rowid NOT IN (
                SELECT MIN(rowid) FROM callback_tasks WHERE status = 'open' GROUP BY number)""",
        """CREATE UNIQUE INDEX callback_tasks_one_open ON callback_tasks (number)
            WHERE status = 'open'""",
        # the back office's own rules (calling window, attempts, ticket limits) as JSON by name
        """CREATE TABLE desk_options (
            name TEXT PRIMARY KEY,
            value_json TEXT NOT NULL
        ) WITHOUT ROWID""",
    ),
    (
        # 工单 with an owner and a clock: the agent who took the complaint owns it (首问负责);
        # the current holder's time runs out at deadline_s; resolved waits for the follow-up call
        "ALTER TABLE tickets ADD COLUMN owner TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE tickets ADD COLUMN deadline_s REAL",
        "ALTER TABLE tickets ADD COLUMN resolved_s REAL",
        """UPDATE tickets SET owner = COALESCE(
            (SELECT agent FROM desk_records WHERE record_id = tickets.record_id), '')""",
        "UPDATE tickets SET deadline_s = created_s + 86400.0 * (escalation_level + 1)",
        "CREATE INDEX tickets_by_number ON tickets (number, created_s)",
        "CREATE INDEX tickets_by_record ON tickets (record_id)",
        # a ticket's escalation told on the desks of its owner and its new holder
        """CREATE TABLE ticket_notices (
            id INTEGER PRIMARY KEY,
            time_s REAL NOT NULL,
            ticket_id TEXT NOT NULL REFERENCES tickets (ticket_id),
            for_agent TEXT NOT NULL,
            for_role TEXT NOT NULL,
            level INTEGER NOT NULL,
            seen INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX ticket_notices_by_agent ON ticket_notices (for_agent, seen)",
        "CREATE INDEX ticket_notices_by_role ON ticket_notices (for_role, seen)",
    ),
    (
        # 运单号: the depot's tracking export (the newest status of each waybill; a waybill not
        # in a later file keeps what it had), the waybill a complaint's ticket is about, and
        # records found by the waybill in their fields
        """CREATE TABLE waybills (
            waybill TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            place TEXT NOT NULL,
            time_s REAL NOT NULL,
            loaded_s REAL NOT NULL,
            source TEXT NOT NULL
        ) WITHOUT ROWID""",
        "ALTER TABLE tickets ADD COLUMN waybill TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX tickets_by_waybill ON tickets (waybill) WHERE waybill != ''",
        """CREATE INDEX desk_records_by_waybill
            ON desk_records (json_extract(fields_json, '$.waybill'))""",
    ),
    (
        # 质检 by the manuals: a weighted form and sampling plan (one row per saved version),
        # checks with each item's points, one appeal (申诉) per check with the checker's answer.
        # The three fixed 1–5 scores of the first quality_checks become checks on that form.
        """CREATE TABLE quality_plans (
            id INTEGER PRIMARY KEY,
            saved_s REAL NOT NULL,
            saved_by TEXT NOT NULL,
            items_json TEXT NOT NULL,
            checks_per_agent_month INTEGER NOT NULL
        )""",
        """CREATE TABLE quality_scores (
            check_id INTEGER PRIMARY KEY,
            call_id TEXT NOT NULL,
            time_s REAL NOT NULL,
            checker TEXT NOT NULL,
            agent TEXT NOT NULL,
            items_json TEXT NOT NULL,
            total INTEGER NOT NULL,
            comment TEXT NOT NULL
        )""",
        "CREATE INDEX quality_scores_by_call ON quality_scores (call_id)",
        "CREATE INDEX quality_scores_by_time ON quality_scores (time_s)",
        """INSERT INTO quality_scores (call_id, time_s, checker, agent, items_json, total, comment)
            SELECT call_id, time_s, checker, agent,
                json_array(json_array('开场规范', 5, greeting), json_array('解答准确', 5, accuracy),
                    json_array('服务态度', 5, attitude)),
                greeting + accuracy + attitude, note
            FROM quality_checks ORDER BY id""",
        "DROP TABLE quality_checks",
        """CREATE TABLE quality_appeals (
            check_id INTEGER PRIMARY KEY REFERENCES quality_scores (check_id),
            time_s REAL NOT NULL,
            agent TEXT NOT NULL,
            reason TEXT NOT NULL,
            answer TEXT NOT NULL DEFAULT '',
            answered_by TEXT NOT NULL DEFAULT '',
            answered_s REAL
        )""",
        # 排班: an agent's shifts of a local day (JSON [[start_min, end_min], …])
        """CREATE TABLE roster_shifts (
            agent TEXT NOT NULL,
            day TEXT NOT NULL,
            shifts_json TEXT NOT NULL,
            PRIMARY KEY (agent, day)
        ) WITHOUT ROWID""",
        # monthly answer targets (scope 'agent' + 工号, or 'tier' + tier name), the ranking
        # weights (one row per saved version) and the rankings kept per period (周之星, 金话筒)
        """CREATE TABLE answer_targets (
            scope TEXT NOT NULL CHECK (scope IN ('agent', 'tier')),
            key TEXT NOT NULL,
            calls INTEGER NOT NULL,
            PRIMARY KEY (scope, key)
        ) WITHOUT ROWID""",
        """CREATE TABLE ranking_weights (
            id INTEGER PRIMARY KEY,
            saved_s REAL NOT NULL,
            saved_by TEXT NOT NULL,
            weights_json TEXT NOT NULL
        )""",
        """CREATE TABLE rankings (
            kind TEXT NOT NULL CHECK (kind IN ('week', 'month')),
            period_key TEXT NOT NULL,
            kept_s REAL NOT NULL,
            weights_json TEXT NOT NULL,
            rows_json TEXT NOT NULL,
            PRIMARY KEY (kind, period_key)
        ) WITHOUT ROWID""",
    ),
    (
        # first start is a step of its own: its row is written in the transaction that seeds
        # the setup and the first users, so a kill half-way leaves a new database, not one
        # without users. A database that has a setup has had its first start.
        "CREATE TABLE first_start (done_s REAL NOT NULL)",
        "INSERT INTO first_start (done_s) SELECT min(saved_s) FROM settings HAVING count(*) > 0",
        # the blacklist's one home is its table: numbers only the setup held move there
        """INSERT OR IGNORE INTO blacklist (number, by_agent, call_id, time_s)
            SELECT value, '', '', (SELECT saved_s FROM settings ORDER BY id DESC LIMIT 1)
            FROM json_each(
                (SELECT setup_json FROM settings ORDER BY id DESC LIMIT 1), '$.blacklist'
            )""",
    ),
    (
        # a call without a number says why: the line withheld it ("private") or could not
        # deliver it ("unavailable"); older calls did not keep the difference
        "ALTER TABLE calls ADD COLUMN withheld TEXT NOT NULL DEFAULT ''",
    ),
    (
        # a TV's display link: opens the wallboard without a sign-in until an admin revokes it
        """CREATE TABLE display_links (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            created_s REAL NOT NULL,
            created_by TEXT NOT NULL
        )""",
    ),
    (
        # the search by waybill finds the calls that keyed it in the self-service
        "CREATE INDEX queue_log_waybills ON queue_log (json_extract(data, '$[0]'))"
        " WHERE verb = 'WAYBILL'",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
