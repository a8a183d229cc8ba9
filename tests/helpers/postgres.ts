// The throwaway PostgreSQL server (src/fixtures/postgres-server.ts, shared with the bench). In CI (.ci/run installs
// Debian's postgresql) a missing server is a failure, never a skip.
import { PG_MISSING } from '../../src/fixtures/postgres-server.js';

export { PG_BIN, startPostgres, type PgServer } from '../../src/fixtures/postgres-server.js';

if (PG_MISSING && (process.env.CI || process.env.ASSIST_REQUIRE_POSTGRES))
  throw new Error(`CI 中必须运行 PostgreSQL 测试：${PG_MISSING}`);
export { PG_MISSING };
