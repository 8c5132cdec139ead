/**
 * The README runs as written. Every code block marked with an HTML comment
 *
 *     <!-- readme-test: STATE -->                 a block of `$ command` lines, each followed by its output
 *     <!-- readme-test: STATE $ pgward ... -->    a block that is the output of that one command
 *     <!-- readme-test: STATE -->  + ```ts        a program; the next code block is what it prints
 *
 * is run, in order, against a PostgreSQL 18 of this file's own, reset to STATE (see STATES
 * below) before each block, with `DATABASE_URL` pointing at its database `postgres` and a
 * working directory holding the quickstart's `pgward.yaml` and `fixtures/`. What it prints
 * (stdout and stderr, interleaved as a terminal shows them) must be what the README shows,
 * after normalizing what changes from run to run: socket directories, PostgreSQL's minor
 * version. In the README, a line `...` stands for any number of lines.
 *
 * Commands: `pgward ...` (with `VAR=value` before it and `# comments` after it), `cat FILE`
 * (the block's output is the file: it is written, so later commands use it) and
 * `psql -qc "SQL"` (run as the superuser; prints nothing).
 *
 * When outputs change on purpose: `PGWARD_UPDATE_README=1 npx vitest run
 * test/integration/readme.test.ts` writes the actual outputs into README.md (put back any
 * `...` elisions by hand, then review the diff).
 */
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, isDeepStrictEqual } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { run } from '../../src/cli/main.js';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../../src/sandbox/embedded-postgres.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const README = join(ROOT, 'README.md');
const QUICKSTART = join(ROOT, 'fixtures', 'quickstart');
const UPDATE = process.env.PGWARD_UPDATE_README === '1';

interface State {
  /** SQL files (relative to the repository) run first, as the superuser in `postgres`. */
  readonly files?: readonly string[];
  /** Then `pgward apply --yes` of the quickstart's config. */
  readonly applyQuickstart?: boolean;
  /** Then this SQL. */
  readonly sql?: string;
}

/** The starting points the README names; each block says which one it starts from. */
const STATES: Readonly<Record<string, State>> = {
  /** An empty server (validate and --sandbox need none). */
  empty: {},
  /** The quickstart's shop schema (fixtures/quickstart/setup.sql), nothing applied. */
  shop: { files: ['fixtures/quickstart/setup.sql'] },
  /** After the quickstart: its config applied. */
  quickstart: { files: ['fixtures/quickstart/setup.sql'], applyQuickstart: true },
  /** After the quickstart, changes made by hand (the drift example). */
  drift: {
    files: ['fixtures/quickstart/setup.sql'],
    applyQuickstart: true,
    sql: `ALTER ROLE analyst CONNECTION LIMIT 5;
          GRANT DELETE ON app.customers TO app_readonly;
          GRANT app_readwrite TO analyst;`,
  },
  /** After the quickstart, two login roles made by hand: intruder (USAGE on app) and lonely. */
  people: {
    files: ['fixtures/quickstart/setup.sql'],
    applyQuickstart: true,
    sql: `CREATE ROLE intruder LOGIN;
          GRANT USAGE ON SCHEMA app TO intruder;
          CREATE ROLE lonely LOGIN;`,
  },
  /** After the quickstart, a role to retire that owns a table. */
  retire: {
    files: ['fixtures/quickstart/setup.sql'],
    applyQuickstart: true,
    sql: `CREATE ROLE old_report LOGIN;
          GRANT app_readonly TO old_report;
          CREATE TABLE app.old_exports (id int);
          ALTER TABLE app.old_exports OWNER TO old_report;`,
  },
  /** fixtures/failing-apply's schema. */
  'failing-apply': { files: ['fixtures/failing-apply/setup.sql'] },
};

// ------------------------------------------------------------------------------ README

interface Block {
  /** Index of the opening fence line and of the closing one. */
  readonly open: number;
  readonly close: number;
  readonly lang: string;
  readonly body: string;
}

interface Example {
  readonly line: number;
  readonly state: string;
  /** The marker's command, when the block is one command's output. */
  readonly command?: string;
  readonly block: Block;
  /** For a program: the block that shows its output. */
  readonly output?: Block;
}

function blockAt(lines: readonly string[], from: number): Block | undefined {
  let open = from;
  while (open < lines.length && (lines[open] ?? '').trim() === '') open++;
  const fence = /^(\s*)```(\w*)\s*$/.exec(lines[open] ?? '');
  if (!fence) return undefined;
  let close = open + 1;
  while (close < lines.length && !/^\s*```\s*$/.test(lines[close] ?? '')) close++;
  const indent = fence[1]?.length ?? 0;
  const body = lines
    .slice(open + 1, close)
    .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
    .join('\n');
  return { open, close, lang: fence[2] ?? '', body };
}

function examples(text: string): Example[] {
  const lines = text.split('\n');
  const found: Example[] = [];
  lines.forEach((line, index) => {
    const marker = /^<!-- readme-test: (\S+)(?: \$ (.*?))? -->$/.exec(line.trim());
    if (!marker) return;
    const block = blockAt(lines, index + 1);
    if (!block) throw new Error(`README.md:${index + 1}: readme-test marker without a code block`);
    const state = marker[1] ?? '';
    // A program's output is the next code block, after the sentence that introduces it.
    let next = block.close + 1;
    while (next < lines.length && !/^\s*```/.test(lines[next] ?? '')) next++;
    const output = block.lang === 'ts' ? blockAt(lines, next) : undefined;
    found.push({
      line: index + 1,
      state,
      ...(marker[2] === undefined ? {} : { command: marker[2] }),
      block,
      ...(output === undefined ? {} : { output }),
    });
  });
  return found;
}

interface Step {
  readonly command: string;
  readonly output: string;
}

/** `$ command` lines and the output lines after each, up to the next command. */
function steps(body: string): Step[] {
  const result: { command: string; output: string[] }[] = [];
  for (const line of body.split('\n')) {
    if (line.startsWith('$ ')) result.push({ command: line.slice(2), output: [] });
    else result.at(-1)?.output.push(line);
  }
  return result.map(({ command, output }) => ({
    command,
    output: output.join('\n').trimEnd(),
  }));
}

/** Shell words: '...' and "..." quoting, a `#` comment; enough for the README's commands. */
function words(command: string): string[] {
  const result: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] ?? '';
    if (c === "'" || c === '"') {
      const end = command.indexOf(c, i + 1);
      word = (word ?? '') + command.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (word !== null) result.push(word);
      word = null;
    } else if (c === '#' && word === null) break;
    else word = (word ?? '') + c;
  }
  if (word !== null) result.push(word);
  return result;
}

/** What varies between runs, made equal on both sides. */
function normalize(text: string): string {
  return (
    text
      // The README was run with TMPDIR=/tmp; a developer's or CI's TMPDIR may be elsewhere.
      .replaceAll(`${tmpdir()}/pgward-sock-`, '/tmp/pgward-sock-')
      .replace(/pgward-sock-[A-Za-z0-9_-]+/g, 'pgward-sock-XXXXXX')
      .replace(/PostgreSQL (\d+)\.\d+/g, 'PostgreSQL $1.x')
      .replace(
        /"server_version_num": (\d\d)\d{4}/g,
        (_, major: string) => `"server_version_num": ${major}0000`,
      )
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .trimEnd()
  );
}

/**
 * Whether `actual` is `expected`, where an expected line `...` stands for any lines. JSON is
 * compared as data: the README's is laid out by prettier, pgward's by JSON.stringify.
 */
function matches(expected: string, actual: string, lang = ''): boolean {
  if (lang === 'json') {
    try {
      return isDeepStrictEqual(JSON.parse(normalize(expected)), JSON.parse(normalize(actual)));
    } catch {
      return false;
    }
  }
  const want = normalize(expected).split('\n');
  const got = normalize(actual).split('\n');
  const match = (w: number, g: number): boolean => {
    if (w === want.length) return g === got.length;
    if ((want[w] ?? '').trim() === '...') {
      for (let k = g; k <= got.length; k++) if (match(w + 1, k)) return true;
      return false;
    }
    return g < got.length && want[w] === got[g] && match(w + 1, g + 1);
  };
  return match(0, 0);
}

/** JSON laid out one way (for the diff of a failure), or the text when it is not JSON. */
function canonicalJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(normalize(text)), null, 2);
  } catch {
    return normalize(text);
  }
}

// ------------------------------------------------------------------------------ running

let server: EmbeddedPostgres;
let work: string;

async function query(sql: string, database = 'postgres'): Promise<void> {
  const client = new pg.Client({ connectionString: server.url(database) });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function pgwardRun(args: readonly string[], env: Record<string, string>): Promise<string> {
  let output = '';
  const stream = { write: (text: string) => void (output += text), isTTY: false };
  await run(args, {
    stdout: stream,
    stderr: stream,
    stdin: Readable.from([]),
    env: { DATABASE_URL: server.url('postgres'), ...env },
    cwd: work,
  });
  return output;
}

/** A fresh database `postgres` with no roles but the bootstrap superuser, then STATE. */
async function reset(name: string): Promise<void> {
  const state = STATES[name];
  if (state === undefined) throw new Error(`unknown readme-test state "${name}"`);
  await query('DROP DATABASE IF EXISTS postgres WITH (FORCE)', 'template1');
  await query(
    `DO $$
     DECLARE names text;
     BEGIN
       SELECT string_agg(quote_ident(rolname), ', ') INTO names
       FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_' AND oid <> 10;
       IF names IS NOT NULL THEN EXECUTE 'DROP ROLE ' || names; END IF;
     END $$`,
    'template1',
  );
  await query('CREATE DATABASE postgres', 'template1');
  await rm(work, { recursive: true, force: true });
  await cp(QUICKSTART, work, { recursive: true });
  await rm(join(work, 'setup.sql'));
  await symlink(join(ROOT, 'fixtures'), join(work, 'fixtures'));
  for (const file of state.files ?? []) await query(await readFile(join(ROOT, file), 'utf8'));
  if (state.applyQuickstart) {
    const output = await pgwardRun(['apply', '--yes'], {});
    if (!output.includes('Apply complete')) throw new Error(`quickstart apply failed:\n${output}`);
  }
  if (state.sql !== undefined) await query(state.sql);
}

async function runCommand(command: string, expected: string): Promise<string> {
  const argv = words(command);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(argv[0] ?? '')) {
    const [name = '', ...value] = (argv.shift() ?? '').split('=');
    env[name] = value.join('=');
  }
  const [program, ...args] = argv;
  switch (program) {
    case 'pgward':
      return pgwardRun(args, env);
    case 'cat':
      // The README shows the file: that is its content.
      await writeFile(join(work, args[0] ?? ''), `${expected}\n`);
      return expected;
    case 'psql':
      await query(args[args.indexOf('-qc') + 1] ?? '');
      return '';
    default:
      throw new Error(`readme-test cannot run "${command}"`);
  }
}

/** Runs a program block (TypeScript that is also JavaScript) and returns what it logs. */
async function runProgram(source: string): Promise<string> {
  const file = join(work, `example-${Date.now()}.ts`);
  const library = pathToFileURL(join(ROOT, 'src', 'index.ts')).href;
  await writeFile(file, source.replaceAll("from 'pgward'", `from '${library}'`));
  let output = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    output += `${format(...args)}\n`;
  });
  const cwd = process.cwd();
  const url = process.env.DATABASE_URL;
  process.chdir(work);
  process.env.DATABASE_URL = server.url('postgres');
  try {
    await import(pathToFileURL(file).href);
  } finally {
    process.chdir(cwd);
    if (url === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = url;
    log.mockRestore();
  }
  return output;
}

/** The block's new body, for PGWARD_UPDATE_README=1. */
function replaceBody(lines: string[], block: Block, body: string): void {
  const indent = /^(\s*)/.exec(lines[block.open] ?? '')?.[1] ?? '';
  const indented = body.split('\n').map((line) => (line === '' ? '' : `${indent}${line}`));
  lines.splice(block.open + 1, block.close - block.open - 1, ...indented);
}

// ------------------------------------------------------------------------------ the test

const readme = await readFile(README, 'utf8');
const cases = examples(readme);
const updates: { block: Block; body: string }[] = [];

beforeAll(async () => {
  const template = inject('pgMajor') === 18 ? inject('pgTemplateDataDir') : '';
  // README outputs are PostgreSQL 18's (the bundled one), whatever version the suite tests.
  server = await startEmbeddedPostgres(template === '' ? {} : { templateDataDir: template });
  work = await mkdtemp(join(tmpdir(), 'pgward-readme-'));
});

afterAll(async () => {
  await server?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  if (UPDATE && updates.length > 0) {
    const lines = (await readFile(README, 'utf8')).split('\n');
    // From the bottom up, so that earlier blocks keep their line numbers.
    for (const { block, body } of updates.sort((a, b) => b.block.open - a.block.open))
      replaceBody(lines, block, body);
    await writeFile(README, lines.join('\n'));
  }
});

describe('README.md examples', () => {
  it('has examples marked for this test', () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  for (const example of cases) {
    const what = example.command ?? (example.block.lang === 'ts' ? 'program' : 'commands');
    it(`README.md:${example.line} (${example.state}): ${what}`, async () => {
      await reset(example.state);
      let expected: string;
      let actual: string;
      let target: Block;
      if (example.block.lang === 'ts') {
        if (example.output === undefined)
          throw new Error(`README.md:${example.line}: a program needs an output block after it`);
        expected = example.output.body;
        actual = await runProgram(example.block.body);
        target = example.output;
      } else if (example.command !== undefined) {
        expected = example.block.body;
        actual = await runCommand(example.command, expected);
        target = example.block;
      } else {
        const parts: string[] = [];
        const wanted: string[] = [];
        for (const step of steps(example.block.body)) {
          const output = (await runCommand(step.command, step.output)).trimEnd();
          wanted.push([`$ ${step.command}`, ...(step.output ? [step.output] : [])].join('\n'));
          parts.push([`$ ${step.command}`, ...(output ? [output] : [])].join('\n'));
        }
        expected = wanted.join('\n\n');
        actual = parts.join('\n\n');
        target = example.block;
      }
      if (matches(expected, actual, target.lang)) return;
      if (UPDATE) {
        updates.push({ block: target, body: actual.trimEnd() });
        return;
      }
      const shown = (text: string): string =>
        `${target.lang === 'json' ? canonicalJson(text) : normalize(text)}\n`;
      const patch = createTwoFilesPatch('README.md', 'actual', shown(expected), shown(actual));
      expect.fail(
        `README.md:${example.line}: the output differs from the README (update with PGWARD_UPDATE_README=1):\n${patch}`,
      );
    });
  }
});
