/**
 * `pgward explain ROLE [PRIVILEGE OBJECT_TYPE OBJECT]` (spec §11): why a role can or cannot
 * use a privilege — every path, what is missing, the rows RLS leaves it — or, with the role
 * alone, all its effective access by database, schema and object.
 */
import { explain } from '../../api/explain.js';
import { renderExplanationText, renderRoleAccessText } from '../../explain/text.js';
import { defineCommand } from '../command.js';
import { printableLines } from '../../report/terminal.js';
import { json, LIST_FORMATS, withSession } from './role-admin.js';

export const explainCommand = defineCommand({
  command: 'explain <role> [privilege] [object_type] [object]',
  describe: 'Why a role can (or cannot) use a privilege; with the role alone, all its access',
  examples: [
    ['$0 explain alice SELECT table public.orders', 'every path that gives alice SELECT on it'],
    ['$0 explain alice SELECT column public.orders.email', 'a column privilege'],
    [
      '$0 explain alice EXECUTE function "public.calc(integer)"',
      'a routine, with its argument types',
    ],
    ['$0 explain alice', "all of alice's effective access, by database, schema and object"],
    ['$0 explain alice CONNECT database shop --format json', 'the answer as JSON, for scripts'],
  ],
  builder: (yargs) =>
    yargs
      .positional('role', { type: 'string', demandOption: true, describe: 'The role' })
      .positional('privilege', { type: 'string', describe: 'SELECT, INSERT, USAGE, CONNECT, ...' })
      .positional('object_type', {
        type: 'string',
        describe: 'database, schema, table (views too), column, sequence or function',
      })
      .positional('object', {
        type: 'string',
        describe: 'schema.name; schema.table.column; schema.name(argtypes)',
      })
      .option('format', {
        choices: LIST_FORMATS,
        default: 'text' as const,
        describe: 'How to print the answer',
      }),
  run: async (args, context) =>
    withSession(args, context, async (session) => {
      const role = String(args.role);
      const optional = (value: unknown): string | undefined =>
        value === undefined ? undefined : String(value);
      const answer = await explain(
        session,
        role,
        optional(args.privilege),
        optional(args.object_type),
        optional(args.object),
      );
      if (args.format === 'json') context.out(json(answer));
      else
        context.out(
          printableLines(
            'allowed' in answer ? renderExplanationText(answer) : renderRoleAccessText(answer),
          ),
        );
      return 0;
    }),
});
