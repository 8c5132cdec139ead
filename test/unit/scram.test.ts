import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isScramVerifier, scramMatches, scramVerifier } from '../../src/passwords/scram.js';
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
});
