import { describe, expect, it } from 'vitest';
import {
  isListSetting,
  sameSettingValue,
  settingKey,
  splitListValue,
} from '../../src/sql/setting-value.js';

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

describe('sameSettingValue', () => {
  it('compares a list with what PostgreSQL stores for it (elements quoted where needed)', () => {
    expect(sameSettingValue('search_path', 'MyApp, public', '"MyApp", public')).toBe(true);
    expect(sameSettingValue('search_path', 'my app, public', '"my app", public')).toBe(true);
    expect(sameSettingValue('search_path', 'café, a.b', '"café", "a.b"')).toBe(true);
    expect(sameSettingValue('Search_Path', '"$user", public', '"$user", public')).toBe(true);
    expect(sameSettingValue('search_path', 'MyApp, public', 'myapp, public')).toBe(false);
    expect(sameSettingValue('search_path', 'app, public', 'public, app')).toBe(false);
    expect(sameSettingValue('search_path', 'app', '"app, public"')).toBe(false);
  });

  it('reads an empty quoted list, stored as "", as the empty value', () => {
    expect(sameSettingValue('temp_tablespaces', '', '""')).toBe(true);
    expect(sameSettingValue('temp_tablespaces', '""', '""')).toBe(true);
    expect(sameSettingValue('temp_tablespaces', 'fast', '""')).toBe(false);
  });

  it('compares other settings exactly as written', () => {
    expect(sameSettingValue('work_mem', '8MB', '8MB')).toBe(true);
    expect(sameSettingValue('work_mem', '8MB', '8mb')).toBe(false);
    expect(sameSettingValue('myapp.list', 'a, b', '"a", b')).toBe(false);
  });
});

describe('settingKey', () => {
  it('spells every setting name in lower case', () => {
    expect(settingKey('Work_Mem')).toBe('work_mem');
    expect(settingKey('DateStyle')).toBe('datestyle');
    expect(settingKey('MyApp.Flag')).toBe('myapp.flag');
  });
});
