/**
 * The libpq URI rules pgward applies itself (src/execute/libpq.ts): what libpq refuses is
 * refused, what node-postgres would silently ignore is refused, and connect_timeout and
 * options are read with libpq's meaning.
 */
import { describe, expect, it } from 'vitest';
import { checkUri, connectTimeoutMillis, startupOptions } from '../../src/execute/libpq.js';

describe('checkUri', () => {
  it.each([
    'postgresql://u:p@h/db',
    'postgresql://u:S3cr%2Fet@h/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem',
    'postgres://u@/db?host=%2Fvar%2Frun%2Fpostgresql&port=5433&application_name=x&connect_timeout=5',
    'postgresql://u@h/db?options=-c%20role%3Dadmin&ssl=true&',
  ])('accepts %s', (url) => {
    expect(() => checkUri(url)).not.toThrow();
  });

  it.each([
    ['postgresql://u:100%sure@h/db', 'invalid percent-encoded token'],
    ['postgresql://u:p@h/db%4', 'invalid percent-encoded token'],
    ['postgresql://u:a%00b@h/db', 'forbidden value %00'],
    ['postgresql://u@h/db?bogusparam=1', 'invalid URI query parameter: "bogusparam"'],
    ['postgresql://u@h/db?sslmode=require&sslmod=verify-full', 'invalid URI query parameter: "sslmod"'],
    ['postgresql://u@h/db?target_session_attrs=read-write', '"target_session_attrs" is not supported by pgward'],
    ['postgresql://u@h/db?sslcrl=%2Fcrl.pem', '"sslcrl" is not supported by pgward'],
    ['postgresql://u@h/db?passfile=%2Fp', '"passfile" is not supported by pgward'],
  ])('refuses %s', (url, message) => {
    expect(() => checkUri(url)).toThrow(message);
  }); // prettier-ignore

  it('never quotes the password in its message', () => {
    expect(() => checkUri('postgresql://u:S3cr%zzet@h/db')).toThrow(/^(?!.*S3cr).*$/);
  });
});

describe('connectTimeoutMillis', () => {
  it('reads seconds from the URI, else PGCONNECT_TIMEOUT, as libpq does', () => {
    expect(connectTimeoutMillis('postgresql://h/db?connect_timeout=10', {})).toBe(10_000);
    expect(connectTimeoutMillis('postgresql://h/db', { PGCONNECT_TIMEOUT: '7' })).toBe(7_000);
    expect(connectTimeoutMillis('postgresql://h/db?connect_timeout=3', { PGCONNECT_TIMEOUT: '7' })).toBe(3_000);
    expect(connectTimeoutMillis('postgresql://h/db?connect_timeout=1', {})).toBe(2_000);
    expect(connectTimeoutMillis('postgresql://h/db?connect_timeout=0', {})).toBeUndefined();
    expect(connectTimeoutMillis('postgresql://h/db?connect_timeout=-4', {})).toBeUndefined();
    expect(() => connectTimeoutMillis('postgresql://h/db?connect_timeout=2.5', {})).toThrow(
      'invalid integer value "2.5" for connection option "connect_timeout"',
    );
  }); // prettier-ignore
});

describe('startupOptions', () => {
  it("puts the user's options (URI, else PGOPTIONS) before pgward's own", () => {
    const own = '-c TimeZone=UTC';
    expect(startupOptions('postgresql://h/db?options=-c%20role%3Dadm', {}, own)).toBe('-c role=adm -c TimeZone=UTC');
    expect(startupOptions('postgresql://h/db', { PGOPTIONS: '-c role=x' }, own)).toBe('-c role=x -c TimeZone=UTC');
    expect(startupOptions(undefined, {}, own)).toBe(own);
  }); // prettier-ignore
});
