/** `pgward plan`: show what apply would do; reads the catalog, writes nothing to the database. */
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PgwardError } from '../../errors.js';
import { warningsOf } from '../../model/operations.js';
import { defineCommand } from '../command.js';
import { PLAN_FORMATS, planJson, renderPlanAs } from '../output.js';
import { planOfCommand } from '../planning.js';

/** Saves the plan for `apply PLANFILE`; a path that cannot be written is a one-line error. */
async function writePlanFile(path: string, name: string, json: string): Promise<void> {
  try {
    await writeFile(path, json);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? `directory "${dirname(name)}" does not exist`
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : error instanceof Error
              ? error.message
              : String(error);
    throw new PgwardError(`cannot write plan file ${name}: ${reason}`, { cause: error });
  }
}

export const planCommand = defineCommand({
  command: 'plan',
  describe: 'Show the changes apply would make to the database, without making them',
  examples: [
    ['$0 plan', 'compare ./pgward.yaml with the database of DATABASE_URL or the PG* variables'],
    ['$0 plan --db postgres://admin@db/app', 'plan against another database'],
    ['$0 plan --out plan.json', 'also save the plan, for `pgward apply plan.json` after review'],
    ['$0 plan --format markdown', 'a plan to paste into a pull request'],
    ['$0 plan --detailed-exitcode', 'exit 2 when there are changes, 0 when none'],
    ['$0 plan --sandbox schema.sql', 'plan against a throwaway server loaded with schema.sql'],
  ],
  builder: (yargs) =>
    yargs
      .option('format', {
        choices: PLAN_FORMATS,
        default: 'text' as const,
        describe: 'How to print the plan',
      })
      .option('out', {
        type: 'string',
        describe: 'Also save the plan as JSON to this file (a PLANFILE for apply)',
      })
      .option('detailed-exitcode', {
        type: 'boolean',
        default: false,
        describe: 'Exit 0 when there are no changes, 2 when there are',
      })
      .option('suffix', {
        type: 'string',
        describe:
          'Plan DB-specific roles: each configured role R as R_<suffix>, and R a member of it',
      }),
  run: async (args, context) => {
    // Fingerprints only for a plan that is saved: the file, and the JSON (spec §3: the
    // PLANFILE format) that a pipeline may save instead.
    const fingerprint = args.out !== undefined || args.format === 'json';
    const plan = await planOfCommand(args, context, {
      // A saved plan is applied as it is: it must be complete, so --out needs every secret.
      secrets: args.out === undefined ? 'optional' : 'required',
      fingerprint,
    });
    for (const warning of warningsOf(plan)) context.warn(warning);
    if (args.out !== undefined) {
      await writePlanFile(context.path(args.out), args.out, planJson(plan));
      context.note(
        `Saved the plan to ${args.out}; apply exactly it with: pgward apply ${args.out}`,
      );
    }
    context.out(renderPlanAs(plan, args.format, { color: context.color }));
    return args.detailedExitcode && plan.steps.length > 0 ? 2 : 0;
  },
});
