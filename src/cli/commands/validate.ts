/** `pgward validate`: config syntax, schema and semantic checks, without a database. */
import { defineCommand } from '../command.js';
import { readConfig } from '../config.js';

export const validateCommand = defineCommand({
  command: 'validate',
  describe: 'Check the config file (syntax, schema, references) without connecting to a database',
  examples: [
    ['$0 validate', 'check ./pgward.yaml'],
    ['$0 validate -c access/prod.yaml', 'check another file'],
  ],
  // It reads no database: the connection options every other command takes are not its own.
  builder: (yargs) => yargs.hide('db').hide('sandbox'),
  run: async (args, context) => {
    const count = readConfig(args, context, { secrets: 'optional' }).roles.length;
    context.out(`${args.config}: valid (${count} role${count === 1 ? '' : 's'})`);
    return 0;
  },
});
