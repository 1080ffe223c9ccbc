/**
 * Imported right after the TypeScript compiler: ends the window opened by
 * `_env_guard.ts` (see there for why).
 *
 * @module
 */

import { restoreEnv } from "./_env_guard.ts";

restoreEnv();
