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
  builder: (yargs) => yargs,
  run: async (args, context) => {
    const count = readConfig(args, context).roles.length;
    context.out(`${args.config}: valid (${count} role${count === 1 ? '' : 's'})`);
    return 0;
  },
});
