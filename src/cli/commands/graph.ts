/**
 * `pgward graph [--format mermaid|dot] [ROLE...]`: the membership graph as a picture, with
 * ADMIN / INHERIT / SET options and login / superuser marks; with roles, only their
 * neighbourhood (the roles they are members of and their members, transitively).
 */
import { graph } from '../../api/explain.js';
import { DIAGRAM_FORMATS } from '../../explain/diagram.js';
import { defineCommand } from '../command.js';
import { printableLines } from '../../report/terminal.js';
import { withSession } from './role-admin.js';

export const graphCommand = defineCommand({
  command: 'graph [roles..]',
  describe: 'Draw the role membership graph (mermaid or Graphviz dot)',
  examples: [
    ['$0 graph', 'every role and membership, as a mermaid flowchart'],
    ['$0 graph alice', "alice's memberships and members, transitively"],
    ['$0 graph --format dot | dot -Tsvg > roles.svg', 'a Graphviz picture'],
  ],
  builder: (yargs) =>
    yargs
      .positional('roles', {
        type: 'string',
        array: true,
        describe: 'Only these roles and their neighbourhood',
      })
      .option('format', {
        choices: DIAGRAM_FORMATS,
        default: 'mermaid' as const,
        describe: 'mermaid (GitHub renders it in markdown) or dot (Graphviz)',
      }),
  run: async (args, context) =>
    withSession(args, context, async (session) => {
      const roles = (args.roles ?? []).map(String);
      const diagram = await graph(session, { roles, format: args.format });
      // Names are inside quoted labels; control characters are still escaped for the terminal.
      context.out(printableLines(diagram.text));
      return 0;
    }),
});
