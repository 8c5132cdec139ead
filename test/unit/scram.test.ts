import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  isScramVerifier,
  saslprep,
  scramMatches,
  scramVerifier,
} from '../../src/passwords/scram.js';
import { quoteIdent, quoteLiteral } from '../../src/sql/quote.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

describe('client-side SCRAM-SHA-256', () => {
  it('builds a verifier PostgreSQL accepts for login', async () => {
    const verifier = scramVerifier('s3cret pässword');
    expect(isScramVerifier(verifier)).toBe(true);
    await server.query(`CREATE ROLE scram_user LOGIN PASSWORD '${verifier}'`);
    const [row] = await server.query<{ rolpassword: string }>(
      `SELECT rolpassword FROM pg_authid WHERE rolname = 'scram_user'`,
    );
    // The server stores the verifier as given: it never saw the plaintext.
    expect(row?.rolpassword).toBe(verifier);
    const url = new URL(server.url());
    url.username = 'scram_user';
    url.password = encodeURIComponent('s3cret pässword');
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const { rows } = await client.query<{ u: string }>('SELECT current_user AS u');
    await client.end();
    expect(rows[0]?.u).toBe('scram_user');
  });

  it('recognises the password a verifier was built from, and only that one', () => {
    const verifier = scramVerifier('correct horse');
    expect(scramMatches('correct horse', verifier)).toBe(true);
    expect(scramMatches('correct horsE', verifier)).toBe(false);
    expect(scramMatches('correct horse', 'md5abc')).toBe(false);
  });

  it('knows a verifier it built without deriving its keys again (for the convergence check)', () => {
    const verifier = scramVerifier('set by this apply');
    // Deriving the keys is 4,096 rounds of PBKDF2, milliseconds each time: 500 would take
    // seconds; answered from what scramVerifier built, they take well under a millisecond.
    const started = performance.now();
    for (let i = 0; i < 500; i++) expect(scramMatches('set by this apply', verifier)).toBe(true);
    expect(performance.now() - started).toBeLessThan(250);
    expect(scramMatches('set by this apply!', verifier)).toBe(false);
  });

  it('checks a verifier that the server computed itself', async () => {
    await server.query(
      `SET password_encryption = 'scram-sha-256'; CREATE ROLE server_hashed PASSWORD 'by the server'`,
    );
    const [row] = await server.query<{ rolpassword: string }>(
      `SELECT rolpassword FROM pg_authid WHERE rolname = 'server_hashed'`,
    );
    expect(scramMatches('by the server', row?.rolpassword ?? '')).toBe(true);
    expect(scramMatches('something else', row?.rolpassword ?? '')).toBe(false);
  });

  it('prepares non-ASCII passwords as the server does (SASLprep)', async () => {
    // A soft hyphen is "mapped to nothing" and a no-break space becomes a space: the server's
    // verifier for "pa\u00adss\u00a0word" is the one for "pass word".
    await server.query(
      `SET password_encryption = 'scram-sha-256'; CREATE ROLE server_prepped PASSWORD E'pa\\u00adss\\u00a0word'`,
    );
    const [row] = await server.query<{ rolpassword: string }>(
      `SELECT rolpassword FROM pg_authid WHERE rolname = 'server_prepped'`,
    );
    expect(scramMatches('pa\u00adss\u00a0word', row?.rolpassword ?? '')).toBe(true);
    expect(scramMatches('pass word', row?.rolpassword ?? '')).toBe(true);
    expect(scramMatches('pa\u00adss word', scramVerifier('pass word'))).toBe(true);
  });

  // What PostgreSQL's pg_saslprep() makes of each password: the string whose UTF-8 bytes the
  // server and libpq hash. `raw` means SASLprep failed and both use the password as typed.
  const RAW = undefined;
  const PASSWORDS: readonly (readonly [string, string, string | undefined])[] = [
    ['plain ASCII', 'correct horse', 'correct horse'],
    ['ASCII with a control character (the ASCII fast path)', 'ab\u0007', 'ab\u0007'],
    ['NFKC-mapped ligature', '\ufb01x', 'fix'],
    ['mapped to nothing and to a space', 'pa\u00adss\u00a0word', 'pass word'],
    ['combining mark composed', 'Pa\u0308ss', 'P\u00e4ss'],
    ['right-to-left, first and last', '\u05d0\uff11\u05d1', '\u05d01\u05d1'],
    ['ligature and emoji (unassigned in Unicode 3.2)', '\ufb01\ud83d\ude00', RAW],
    ['combining mark and emoji', 'Pa\u0308ss\ud83d\ude00', RAW],
    ['right-to-left not last (bidi)', '\u05d0\uff11', RAW],
    ['right-to-left with left-to-right (bidi)', '\u05d0a\u05d1', RAW],
    ['C1 control (prohibited)', 'ab\u0085\uff21', RAW],
    ['ligature and ASCII control (prohibited)', '\ufb01x\u0007', RAW],
    ['fullwidth letters and emoji', '\uff21\uff22\ud83d\ude00', RAW],
    // Unassigned in 3.2, though its NFKC form "1⁄7" is not: PostgreSQL checks before it
    // normalizes, where RFC 4013 (and npm's saslprep packages) check after.
    ['unassigned before normalization', 'x\u2150', RAW],
    ['nothing left after mapping', '\u00ad', RAW],
  ];

  /** What pgward did before: always map and normalize, never fall back. */
  const alwaysNormalized = (password: string): string =>
    password
      .replace(/[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/g, ' ')
      .replace(
        /\u00ad|\u034f|\u1806|[\u180b-\u180d]|[\u200b-\u200d]|\u2060|[\ufe00-\ufe0f]|\ufeff/gu,
        '',
      )
      .normalize('NFKC');

  it.each(PASSWORDS)('prepares %s as PostgreSQL does', (_, password, hashed) => {
    expect(saslprep(password)).toBe(hashed);
  });

  it('agrees with the verifiers the server computes, and sees a wrong one as different', async () => {
    const created = PASSWORDS.map(([, password], index) => {
      const role = `saslprep_${index}`;
      return `CREATE ROLE ${quoteIdent(role)} PASSWORD ${quoteLiteral(password)};`;
    });
    await server.query(`SET password_encryption = 'scram-sha-256'; ${created.join(' ')}`);
    const rows = await server.query<{ rolname: string; rolpassword: string }>(
      `SELECT rolname, rolpassword FROM pg_authid WHERE rolname LIKE 'saslprep\\_%' ORDER BY rolname`,
    );
    const stored = new Map(rows.map((row) => [row.rolname, row.rolpassword]));
    for (const [index, [what, password, hashed]] of PASSWORDS.entries()) {
      const verifier = stored.get(`saslprep_${index}`) ?? '';
      // No drift where there is none: pgward's check says "same" with the server's salt.
      expect(scramMatches(password, verifier), what).toBe(true);
      // Drift where there is: where SASLprep fails, the verifier of the normalized password
      // (what pgward used to set, and no client logs in with) is not the same password.
      if (hashed === RAW && alwaysNormalized(password) !== password) {
        const [, iterations = '', salt = ''] =
          /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(verifier) ?? [];
        const normalized = alwaysNormalized(password);
        const wrong = scramVerifier(normalized, Number(iterations), Buffer.from(salt, 'base64'));
        expect(wrong, what).not.toBe(verifier);
        expect(scramMatches(password, wrong), what).toBe(false);
      }
    }
  });
});
