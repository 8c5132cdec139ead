/**
 * SCRAM-SHA-256 verifiers computed on the client, in the format PostgreSQL stores in
 * `pg_authid.rolpassword`: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
 * Sending a verifier instead of the plaintext means the server (and its log, whatever
 * `log_statement` says) never sees the password. RFC 5802 / RFC 7677; PostgreSQL's
 * `scram_build_secret()` in src/common/scram-common.c.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** PostgreSQL's default `scram_iterations`. */
export const SCRAM_ITERATIONS = 4096;
const SALT_BYTES = 16;
const VERIFIER = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/**
 * A close approximation of SASLprep (RFC 4013) as PostgreSQL applies it: non-ASCII spaces map
 * to a space, "mapped to nothing" characters go, then NFKC. PostgreSQL falls back to the raw
 * password when SASLprep rejects it; passwords with prohibited characters are rare enough that
 * we apply the same mapping unconditionally, and ASCII passwords are unchanged either way.
 */
const NON_ASCII_SPACE = /[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/g;

/** RFC 3454 table B.1, "commonly mapped to nothing" (soft hyphen, joiners, variation selectors). */
const MAPPED_TO_NOTHING = new Set([
  0x00ad,
  0x034f,
  0x1806,
  0x180b,
  0x180c,
  0x180d,
  0x200b,
  0x200c,
  0x200d,
  0x2060,
  0xfeff,
  ...Array.from({ length: 16 }, (_, i) => 0xfe00 + i),
]);

function saslprep(password: string): string {
  if (/^[\x20-\x7e]*$/.test(password)) return password;
  const kept = [...password.replace(NON_ASCII_SPACE, ' ')].filter(
    (char) => !MAPPED_TO_NOTHING.has(char.codePointAt(0) ?? 0),
  );
  return kept.join('').normalize('NFKC');
}

function keys(
  password: string,
  salt: Buffer,
  iterations: number,
): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(saslprep(password), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/** Builds a verifier with a fresh random salt. */
export function scramVerifier(
  password: string,
  iterations = SCRAM_ITERATIONS,
  salt = randomBytes(SALT_BYTES),
): string {
  const { storedKey, serverKey } = keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export function isScramVerifier(value: string): boolean {
  return VERIFIER.test(value);
}

/** Whether `password` is the one `verifier` was built from (same salt and iterations). */
export function scramMatches(password: string, verifier: string): boolean {
  const match = VERIFIER.exec(verifier);
  if (!match) return false;
  const [, iterations, salt, stored, server] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const computed = keys(password, Buffer.from(salt, 'base64'), Number(iterations));
  const storedKey = Buffer.from(stored, 'base64');
  const serverKey = Buffer.from(server, 'base64');
  return (
    storedKey.length === computed.storedKey.length &&
    serverKey.length === computed.serverKey.length &&
    timingSafeEqual(storedKey, computed.storedKey) &&
    timingSafeEqual(serverKey, computed.serverKey)
  );
}
