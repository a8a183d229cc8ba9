// Every test ends with one full turn of the event loop. Vitest's runner goes from one test to the next
// through promise callbacks only, so a file of synchronous tests (property tests, parsers) never reaches
// the poll phase where the worker reads the main process's replies; past a minute its RPC times out
// ("Timeout calling onTaskUpdate") and the run exits 1 with every test green. setImmediate runs after
// the poll phase: the replies are read between tests.
import { afterEach } from 'vitest';

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
