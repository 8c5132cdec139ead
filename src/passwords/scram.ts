/**
 * SCRAM-SHA-256 verifiers computed on the client, in the format PostgreSQL stores in
 * `pg_authid.rolpassword`: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
 * Sending a verifier instead of the plaintext means the server (and its log, whatever
 * `log_statement` says) never sees the password. RFC 5802 / RFC 7677; PostgreSQL's
 * `scram_build_secret()` in src/common/scram-common.c.
 */
import {
  createHash,
  createHmac,
  pbkdf2,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import {
  L_CAT,
  MAPPED_TO_NOTHING,
  NON_ASCII_SPACE,
  PROHIBITED,
  RAND_AL_CAT,
  UNASSIGNED,
} from './stringprep-tables.js';

/** PostgreSQL's default `scram_iterations`. */
export const SCRAM_ITERATIONS = 4096;
const SALT_BYTES = 16;
const VERIFIER = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/** Whether `code` falls in one of a table's inclusive ranges (a binary search over pairs). */
function inTable(table: readonly number[], code: number): boolean {
  let low = 0;
  let high = table.length / 2 - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (code < (table[2 * middle] ?? 0)) high = middle - 1;
    else if (code > (table[2 * middle + 1] ?? 0)) low = middle + 1;
    else return true;
  }
  return false;
}

/**
 * SASLprep (RFC 4013) exactly as PostgreSQL's `pg_saslprep()` (src/common/saslprep.c) does it,
 * which both the server (for `ALTER ROLE ... PASSWORD 'plain'`) and libpq (when logging in)
 * use; undefined where it fails, and then both use the password's raw UTF-8 bytes. It fails
 * when the password is not valid UTF-8, is empty after mapping, or has a prohibited character,
 * a code point unassigned in Unicode 3.2 (any emoji) or a bidi violation.
 *
 * PostgreSQL differs from the RFC (and from npm's `saslprep` packages, which follow the RFC)
 * in one point we must copy: it checks prohibited, unassigned and bidi characters on the
 * mapped string BEFORE normalization, while it hashes the normalized one. Pure ASCII is
 * returned as is, control characters included, as PostgreSQL's fast path does.
 */
export function saslprep(password: string): string | undefined {
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  // A lone surrogate is what invalid UTF-8 becomes in a JavaScript string.
  if (/[\ud800-\udfff]/u.test(password)) return undefined;
  const mapped: number[] = [];
  for (const char of password) {
    const code = char.codePointAt(0) ?? 0;
    if (inTable(NON_ASCII_SPACE, code)) mapped.push(0x20);
    else if (!inTable(MAPPED_TO_NOTHING, code)) mapped.push(code);
  }
  if (mapped.length === 0) return undefined;
  if (mapped.some((code) => inTable(PROHIBITED, code) || inTable(UNASSIGNED, code))) {
    return undefined;
  }
  // RFC 3454 section 6: with any R/AL character, no L character, and R/AL first and last.
  if (mapped.some((code) => inTable(RAND_AL_CAT, code))) {
    if (mapped.some((code) => inTable(L_CAT, code))) return undefined;
    if (!inTable(RAND_AL_CAT, mapped[0] ?? 0) || !inTable(RAND_AL_CAT, mapped.at(-1) ?? 0)) {
      return undefined;
    }
  }
  return mapped
    .map((code) => String.fromCodePoint(code))
    .join('')
    .normalize('NFKC');
}

interface ScramKeys {
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

function keysOf(salted: Buffer): ScramKeys {
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

function keys(password: string, salt: Buffer, iterations: number): ScramKeys {
  return keysOf(pbkdf2Sync(saslprep(password) ?? password, salt, iterations, 32, 'sha256'));
}

/**
 * The same keys, PBKDF2 running in libuv's thread pool: several derivations at once, on
 * other cores, while the main thread goes on (reading the catalog, planning).
 */
function keysInPool(password: string, salt: Buffer, iterations: number): Promise<ScramKeys> {
  return new Promise((resolve, reject) => {
    pbkdf2(saslprep(password) ?? password, salt, iterations, 32, 'sha256', (error, salted) => {
      if (error) reject(error);
      else resolve(keysOf(salted));
    });
  });
}

/**
 * Verifiers this process built, with the password each was built from. An apply sets a
 * password with a verifier built here, then its convergence check asks whether the catalog's
 * verifier matches the config's password: the answer is known without another 4,096 rounds of
 * PBKDF2 per role (50 roles with passwords: ~0.4 s of an apply, issue 13). The passwords are
 * the config's, held in memory anyway while pgward runs.
 */
const built = new Map<string, string>();

function formatVerifier(
  iterations: number,
  salt: Buffer,
  { storedKey, serverKey }: ScramKeys,
): string {
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Builds a verifier with a fresh random salt. */
export function scramVerifier(
  password: string,
  iterations = SCRAM_ITERATIONS,
  salt = randomBytes(SALT_BYTES),
): string {
  const verifier = formatVerifier(iterations, salt, keys(password, salt, iterations));
  built.set(verifier, password);
  return verifier;
}

/** scramVerifier, with PBKDF2 in the thread pool (see keysInPool): build many at once. */
export async function scramVerifierInPool(
  password: string,
  iterations = SCRAM_ITERATIONS,
  salt = randomBytes(SALT_BYTES),
): Promise<string> {
  const verifier = formatVerifier(iterations, salt, await keysInPool(password, salt, iterations));
  built.set(verifier, password);
  return verifier;
}

export function isScramVerifier(value: string): boolean {
  return VERIFIER.test(value);
}

/**
 * Answers found ahead of time by checkScramMatches: verifier → password → whether it matches.
 * Like `built`, it holds the config's passwords, which are in memory anyway while pgward runs.
 */
const checked = new Map<string, Map<string, boolean | Promise<boolean>>>();

interface ParsedVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

function parseVerifier(verifier: string): ParsedVerifier | undefined {
  const match = VERIFIER.exec(verifier);
  if (!match) return undefined;
  const [, iterations, salt, stored, server] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    iterations: Number(iterations),
    salt: Buffer.from(salt, 'base64'),
    storedKey: Buffer.from(stored, 'base64'),
    serverKey: Buffer.from(server, 'base64'),
  };
}

function sameKeys(verifier: ParsedVerifier, computed: ScramKeys): boolean {
  return (
    verifier.storedKey.length === computed.storedKey.length &&
    verifier.serverKey.length === computed.serverKey.length &&
    timingSafeEqual(verifier.storedKey, computed.storedKey) &&
    timingSafeEqual(verifier.serverKey, computed.serverKey)
  );
}

/** Whether `password` is the one `verifier` was built from (same salt and iterations). */
export function scramMatches(password: string, verifier: string): boolean {
  if (built.get(verifier) === password) return true;
  const known = checked.get(verifier)?.get(password);
  if (typeof known === 'boolean') return known;
  const parsed = parseVerifier(verifier);
  if (parsed === undefined) return false;
  return sameKeys(parsed, keys(password, parsed.salt, parsed.iterations));
}

/**
 * Checks each (password, verifier) pair in the thread pool, all at once, so that scramMatches
 * then answers them without PBKDF2 on the main thread: a plan starts this once it has the
 * roles and the config, and the checks run while the rest of the catalog is read (50 roles
 * with passwords: ~0.1 s of every plan, issue 13). Pairs that are not SCRAM verifiers, or
 * already known, are skipped.
 */
export async function checkScramMatches(
  pairs: Iterable<readonly [password: string, verifier: string]>,
): Promise<void> {
  const pending: Promise<boolean>[] = [];
  for (const [password, verifier] of pairs) {
    if (built.get(verifier) === password) continue;
    const answers = checked.get(verifier) ?? new Map<string, boolean | Promise<boolean>>();
    const known = answers.get(password);
    // A check already under way (another database's plan of the same cluster) is awaited.
    if (known instanceof Promise) pending.push(known);
    if (known !== undefined) continue;
    const parsed = parseVerifier(verifier);
    if (parsed === undefined) continue;
    const answer = keysInPool(password, parsed.salt, parsed.iterations).then((computed) => {
      const matches = sameKeys(parsed, computed);
      answers.set(password, matches);
      return matches;
    });
    answers.set(password, answer);
    checked.set(verifier, answers);
    pending.push(answer);
  }
  await Promise.all(pending);
}
