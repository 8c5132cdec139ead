import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/plan/fingerprint.js';

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [2, 1], b: null } })).toBe(
      '{"a":{"b":null,"c":[2,1]},"b":1}',
    );
  });

  it('writes keys as JSON.stringify orders an object: array indexes first, numerically', () => {
    expect(canonicalJson({ b: 0, '10': 1, '2': 2, '01': 3, a: 4 })).toBe(
      '{"2":2,"10":1,"01":3,"a":4,"b":0}',
    );
  });

  it('keeps a "__proto__" key as data', () => {
    const value = JSON.parse('{"z":1,"__proto__":{"y":2,"x":1}}') as unknown;
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":1,"y":2},"z":1}');
  });

  it('writes a Set as a sorted array and gives equal text for equal data', () => {
    const a = { set: new Set(['b', 'a']), list: [{ y: 1, x: 2 }] };
    const b = { list: [{ x: 2, y: 1 }], set: new Set(['a', 'b']) };
    expect(canonicalJson(a)).toBe('{"list":[{"x":2,"y":1}],"set":["a","b"]}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });
});
