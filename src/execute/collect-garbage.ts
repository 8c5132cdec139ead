/**
 * A full garbage collection, asked for between an apply's statements and its convergence
 * check. The apply lets go of the state it planned from before reading the catalog again
 * (engine.ts executeConverging), but V8 reclaims it only at its next full collection, which
 * may come after the second read has built a state as large: peak memory was both at once
 * (40,000 tables: 530 MiB instead of 334; the collection takes ~30 ms). Node has no API for
 * it without `--expose-gc` on its command line, which a `#!/usr/bin/env node` script cannot
 * give: the flag is set at run time and `gc` taken from a new context, as the `expose-gc`
 * package does. Anything failing there only skips the collection.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    } finally {
      setFlagsFromString('--no-expose-gc');
    }
  }
  collect?.();
}
