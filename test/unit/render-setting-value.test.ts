import { describe, expect, it } from 'vitest';
import { isListSetting, splitListValue } from '../../src/sql/setting-value.js';

describe('splitListValue', () => {
  it('splits on commas and trims unquoted elements', () => {
    expect(splitListValue('app, public')).toEqual(['app', 'public']);
    expect(splitListValue('  app ,public  ')).toEqual(['app', 'public']);
    expect(splitListValue('a b, c')).toEqual(['a b', 'c']);
  });

  it('keeps double-quoted elements whole, unquoted and undoubled', () => {
    expect(splitListValue('"$user", public')).toEqual(['$user', 'public']);
    expect(splitListValue(' "a, b" , "x""y", "  sp  "')).toEqual(['a, b', 'x"y', '  sp  ']);
  });

  it('reads an empty value as no elements, and keeps empty elements between commas', () => {
    expect(splitListValue('')).toEqual([]);
    expect(splitListValue('   ')).toEqual([]);
    expect(splitListValue('a,,b')).toEqual(['a', '', 'b']);
    expect(splitListValue('""')).toEqual(['']);
  });
});

describe('isListSetting', () => {
  it('knows the list-valued settings whatever their case', () => {
    expect(isListSetting('search_path')).toBe(true);
    expect(isListSetting('DateStyle')).toBe(true);
    expect(isListSetting('Search_Path')).toBe(true);
    expect(isListSetting('statement_timeout')).toBe(false);
    expect(isListSetting('myapp.search_path')).toBe(false);
  });
});
