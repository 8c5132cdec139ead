/**
 * ignore_roles and `export --include` globs: `*` and `?` are the only special characters.
 * Every other ASCII punctuation character is itself (it used to reach a RegExp, and `-`, for
 * one, made it throw "Invalid regular expression").
 */
import { describe, expect, it } from 'vitest';
import { matchesGlob } from '../../src/resolve/protection.js';

const PUNCTUATION = [...'!"#$%&\'()+,-./:;<=>@[\\]^_`{|}~'];

describe('matchesGlob', () => {
  it.each(PUNCTUATION)('takes %s literally', (char) => {
    expect(matchesGlob(`a${char}b`, `a${char}b`)).toBe(true);
    expect(matchesGlob('axb', `a${char}b`)).toBe(false);
    expect(matchesGlob(`a${char}${char}b`, `a${char}b`)).toBe(false);
    expect(matchesGlob(`svc${char}api`, `svc${char}*`)).toBe(true);
    expect(matchesGlob('svcxapi', `svc${char}*`)).toBe(false);
    expect(matchesGlob(`${char}`, `?`)).toBe(true);
  });

  it('covers the whole ASCII punctuation set besides * and ?', () => {
    const all = [...Array(128).keys()]
      .map((code) => String.fromCharCode(code))
      .filter((char) => /[\p{P}\p{S}]/u.test(char));
    expect([...PUNCTUATION, '*', '?'].sort()).toEqual(all.sort());
  });

  it('reads * as any run (empty included) and ? as exactly one character', () => {
    expect(matchesGlob('svc-api', 'svc-*')).toBe(true);
    expect(matchesGlob('svc-', 'svc-*')).toBe(true);
    expect(matchesGlob('svc', 'svc-*')).toBe(false);
    expect(matchesGlob('my-role', 'my-role')).toBe(true);
    expect(matchesGlob('my_role', 'my-role')).toBe(false);
    expect(matchesGlob('app_1_ro', 'app_?_ro')).toBe(true);
    expect(matchesGlob('app_12_ro', 'app_?_ro')).toBe(false);
    expect(matchesGlob('abcabd', '*ab?')).toBe(true);
    expect(matchesGlob('aXbYc', 'a*b*c')).toBe(true);
    expect(matchesGlob('aXbYd', 'a*b*c')).toBe(false);
    expect(matchesGlob('anything', '**')).toBe(true);
    expect(matchesGlob('', '*')).toBe(true);
    expect(matchesGlob('', '?')).toBe(false);
  });

  it('matches characters, not UTF-16 halves: ? takes a whole emoji', () => {
    expect(matchesGlob('team😀', 'team?')).toBe(true);
    expect(matchesGlob('team😀', 'team??')).toBe(false);
  });

  it('is case-sensitive and anchored at both ends, as role names are', () => {
    expect(matchesGlob('Svc-api', 'svc-*')).toBe(false);
    expect(matchesGlob('x-svc-api', 'svc-*')).toBe(false);
    expect(matchesGlob('line\nbreak', 'line?break')).toBe(true);
  });
});
