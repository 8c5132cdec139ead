/**
 * The action's inputs (action.yml), read from the environment as a JavaScript action gets
 * them: `INPUT_<NAME>`, upper-cased. The composite steps of action.yml pass them with `-` as
 * `_` (`INPUT_DATABASE_URL`), since shells cannot set a name with `-`; a `using: node20`
 * runner would set `INPUT_DATABASE-URL`. Both are read.
 */
import { InputError } from '../errors.js';

export const ACTION_COMMANDS = ['plan', 'drift', 'apply'] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

export interface ActionInputs {
  readonly command: ActionCommand;
  readonly config: string;
  readonly databaseUrl: string | undefined;
  readonly sandboxSql: string | undefined;
  /** `apply` only: apply this saved plan (`plan --out`) instead of planning again. */
  readonly planFile: string | undefined;
  /** Undefined = the default: comment when the run is for a pull request. */
  readonly comment: boolean | undefined;
  readonly workingDirectory: string;
  readonly failOnDrift: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function input(env: Env, name: string): string | undefined {
  const upper = name.toUpperCase();
  const value = env[`INPUT_${upper.replaceAll('-', '_')}`] ?? env[`INPUT_${upper}`];
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** YAML 1.2 core schema booleans, as @actions/core's getBooleanInput accepts them. */
function booleanInput(env: Env, name: string): boolean | undefined {
  const value = input(env, name);
  if (value === undefined) return undefined;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(`input ${name} is "${value}": use true or false`);
}

export function readInputs(env: Env): ActionInputs {
  const command = input(env, 'command') ?? 'plan';
  if (!(ACTION_COMMANDS as readonly string[]).includes(command)) {
    throw new InputError(`input command is "${command}": use ${ACTION_COMMANDS.join(', ')}`);
  }
  const databaseUrl = input(env, 'database-url');
  const sandboxSql = input(env, 'sandbox-sql');
  if (databaseUrl !== undefined && sandboxSql !== undefined) {
    throw new InputError(
      'give either database-url or sandbox-sql: sandbox-sql plans against a throwaway server instead of the database',
    );
  }
  const planFile = input(env, 'plan-file');
  if (planFile !== undefined && command !== 'apply') {
    throw new InputError(`input plan-file is for command apply, not ${command}`);
  }
  if (sandboxSql !== undefined && command === 'apply') {
    // A sandbox is thrown away afterwards: applying there proves the config applies, but
    // a step called "apply" that changes no real database would be a surprise.
    throw new InputError('sandbox-sql is for plan and drift; apply needs database-url');
  }
  return {
    command: command as ActionCommand,
    config: input(env, 'config') ?? 'pgward.yaml',
    databaseUrl,
    sandboxSql,
    planFile,
    comment: booleanInput(env, 'comment'),
    workingDirectory: input(env, 'working-directory') ?? '.',
    failOnDrift: booleanInput(env, 'fail-on-drift') ?? true,
  };
}
