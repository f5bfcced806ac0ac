/**
 * `npm run test:sql`: every saved query, the daily snapshot and the trend, run by DuckDB over
 * sample sync files (tests/sql/syncFiles.ts; the dialect translation in tests/sql/engine.ts).
 * Not part of `npm test` (it loads a native SQL engine); .ci/run runs it after.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPORT_QUERIES } from "../../components/reportingQueries";
import { SyncEngine, TextRow } from "./engine";
import { PREFIX, writeSyncFiles } from "./syncFiles";

const pick = (rows: TextRow[], keys: string[]) => rows.map((r) => keys.map((k) => r[k]));
/** A node's counts, as the per-instance query and the history name them. */
const COUNTS = ["noncompliant", "critical_level", "security", "other", "missing", "failed"];
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

describe("the saved queries over sync-format files (DuckDB)", function () {
    this.timeout(30_000);
    let engine: SyncEngine;
    before(async () => {
        const bucket = fs.mkdtempSync(path.join(os.tmpdir(), "oelab-sync-"));
        writeSyncFiles(bucket, new Date());
        engine = await SyncEngine.open(bucket, PREFIX);
    });
    after(() => engine?.close());

    it("per instance: every node but the terminated one, the one unchanged for 30 days too, with its last capture", async () => {
        const rows = await engine.query(REPORT_QUERIES.compliancePerInstance.sql);
        const keys = ["accountid", "region", "instance", "patchgroup", ...COUNTS, "pending_reboot", "compliant"];
        assert.deepStrictEqual(pick(rows, keys), [
            [
                "111111111111",
                "ap-northeast-1",
                "i-0aaaaaaaaaaaaaaa1",
                "Critical",
                "4",
                "3",
                "2",
                "1",
                "3",
                "1",
                "0",
                "false",
            ],
            [
                "111111111111",
                "ap-northeast-1",
                "i-0aaaaaaaaaaaaaaa2",
                "Critical",
                "0",
                "0",
                "0",
                "0",
                "0",
                "0",
                "0",
                "true",
            ],
            [
                "222222222222",
                "us-east-1",
                "i-0bbbbbbbbbbbbbbb1",
                "Critical-Prod",
                "1",
                "0",
                "1",
                "0",
                "0",
                "0",
                "1",
                "false",
            ],
            [
                "222222222222",
                "us-east-1",
                "i-0bbbbbbbbbbbbbbb2",
                "Critical-Prod",
                "1",
                "1",
                "1",
                "0",
                "1",
                "0",
                "0",
                "false",
            ],
        ]);
        // The capture time is a column, not a filter: the unchanged node's is 30 days old.
        assert.deepStrictEqual(
            rows.map((r) => Math.round((Date.now() - Date.parse(r.last_capture)) / 86_400_000)),
            [0, 1, 0, 30],
        );
        // Critical and security overlap; the disjoint parts add up to the non-compliant patches.
        for (const r of rows) {
            const [total, security, other] = [r.noncompliant, r.security, r.other].map(Number);
            assert.strictEqual(security + (total - other - security) + other, total);
            assert.ok(total - other - security >= 0, r.instance);
        }
    });

    it("security updates by classification, and Critical compliance level, are separate lists", async () => {
        const security = await engine.query(REPORT_QUERIES.missingSecurityUpdates.sql);
        assert.deepStrictEqual(pick(security, ["instance", "patch", "classification", "compliance_level"]), [
            ["i-0aaaaaaaaaaaaaaa1", "ALAS2023-2026-001", "Security", "CRITICAL"],
            ["i-0aaaaaaaaaaaaaaa1", "ALAS2023-2026-002", "Security", "CRITICAL"],
            ["i-0bbbbbbbbbbbbbbb1", "USN-7000-1", "Security", "MEDIUM"],
            ["i-0bbbbbbbbbbbbbbb2", "USN-7001-1", "Security", "CRITICAL"],
        ]);
        const critical = await engine.query(REPORT_QUERIES.missingCriticalLevel.sql);
        // The bug fix ALAS2023-2026-003 is at level Critical but is no security update.
        assert.deepStrictEqual(pick(critical, ["instance", "patch", "classification"]), [
            ["i-0aaaaaaaaaaaaaaa1", "ALAS2023-2026-001", "Security"],
            ["i-0aaaaaaaaaaaaaaa1", "ALAS2023-2026-002", "Security"],
            ["i-0aaaaaaaaaaaaaaa1", "ALAS2023-2026-003", "Bugfix"],
            ["i-0bbbbbbbbbbbbbbb2", "USN-7001-1", "Security"],
        ]);
    });

    it("per stack and account, by severity, packages: the terminated node counts nowhere, the unchanged one everywhere", async () => {
        assert.deepStrictEqual(
            pick(await engine.query(REPORT_QUERIES.complianceByStackAndAccount.sql), [
                "accountid",
                "patchgroup",
                "instances",
                "compliant",
                "noncompliant_patches",
                "critical_level_patches",
                "security_patches",
            ]),
            [
                ["111111111111", "Critical", "2", "1", "4", "3", "2"],
                ["222222222222", "Critical-Prod", "2", "0", "2", "1", "2"],
            ],
        );
        assert.deepStrictEqual(
            pick(await engine.query(REPORT_QUERIES.missingBySeverity.sql), ["severity", "missing"]),
            [
                ["Critical", "1"],
                ["High", "1"],
                ["Important", "1"],
                ["Low", "1"],
                ["Medium", "1"],
            ],
        );
        assert.deepStrictEqual(pick(await engine.query(REPORT_QUERIES.topPackages.sql), ["package", "instances"]), [
            ["openssl", "3"],
            ["OpenSSL", "1"],
            ["curl", "1"],
        ]);
        assert.deepStrictEqual(
            pick(await engine.query(REPORT_QUERIES.instancesWithPackage.sql, ["OPENSSL"]), [
                "accountid",
                "instance",
                "package",
            ]),
            [
                ["111111111111", "i-0aaaaaaaaaaaaaaa1", "openssl"],
                ["111111111111", "i-0aaaaaaaaaaaaaaa2", "openssl"],
                ["222222222222", "i-0bbbbbbbbbbbbbbb1", "OpenSSL"],
                ["222222222222", "i-0bbbbbbbbbbbbbbb2", "openssl"],
            ],
        );
    });

    it("the daily snapshot adds today's nodes once, and the trend returns the last 30 days per stack", async () => {
        // Two earlier snapshots: 10 days ago (inside the trend) and 40 days ago (outside it).
        for (const [ago, compliant] of [
            [10, false],
            [40, true],
        ] as const) {
            await engine.query(
                `INSERT INTO compliance_history VALUES ('111111111111', 'ap-northeast-1', 'i-0aaaaaaaaaaaaaaa1', 'Critical', ${compliant}, 9, 5, 4, 2, 8, 1, '${day(ago)}')`,
            );
        }
        await engine.query(REPORT_QUERIES.snapshotToday.sql);
        await engine.query(REPORT_QUERIES.snapshotToday.sql);
        const today = await engine.query(`SELECT * FROM compliance_history WHERE day = '${day(0)}' ORDER BY instance`);
        assert.deepStrictEqual(pick(today, ["instance", "compliant", ...COUNTS]), [
            ["i-0aaaaaaaaaaaaaaa1", "false", "4", "3", "2", "1", "3", "1"],
            ["i-0aaaaaaaaaaaaaaa2", "true", "0", "0", "0", "0", "0", "0"],
            ["i-0bbbbbbbbbbbbbbb1", "false", "1", "0", "1", "0", "0", "0"],
            ["i-0bbbbbbbbbbbbbbb2", "false", "1", "1", "1", "0", "1", "0"],
        ]);
        const trend = await engine.query(REPORT_QUERIES.complianceTrend.sql);
        assert.deepStrictEqual(
            pick(trend, [
                "day",
                "accountid",
                "patchgroup",
                "instances",
                "compliant",
                "noncompliant_patches",
                "security_patches",
            ]),
            [
                [day(10), "111111111111", "Critical", "1", "0", "9", "4"],
                [day(0), "111111111111", "Critical", "2", "1", "4", "2"],
                [day(0), "222222222222", "Critical-Prod", "2", "0", "2", "2"],
            ],
        );
    });
});

describe("the history written twice for one day (DuckDB)", function () {
    this.timeout(30_000);
    it("two overlapping snapshot inserts both pass NOT EXISTS and write the day twice; the trend is unchanged", async () => {
        const bucket = fs.mkdtempSync(path.join(os.tmpdir(), "oelab-sync-"));
        writeSyncFiles(bucket, new Date());
        const once = await SyncEngine.open(bucket, PREFIX);
        const twice = await SyncEngine.open(bucket, PREFIX);
        try {
            await once.query(REPORT_QUERIES.snapshotToday.sql);
            await twice.concurrently(REPORT_QUERIES.snapshotToday.sql, 2);
            const rows = async (e: SyncEngine) =>
                (await e.query(`SELECT count(*) AS n FROM compliance_history WHERE day = '${day(0)}'`))[0].n;
            assert.deepStrictEqual([await rows(once), await rows(twice)], ["4", "8"]);
            const trend = await once.query(REPORT_QUERIES.complianceTrend.sql);
            assert.deepStrictEqual(await twice.query(REPORT_QUERIES.complianceTrend.sql), trend);
            assert.deepStrictEqual(
                pick(trend, ["accountid", "instances", "compliant", "noncompliant_patches", "security_patches"]),
                [
                    ["111111111111", "2", "1", "4", "2"],
                    ["222222222222", "2", "0", "2", "2"],
                ],
            );
        } finally {
            once.close();
            twice.close();
        }
    });
});
