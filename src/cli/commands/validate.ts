/** `pgward validate`: config syntax, schema and semantic checks, without a database. */
import { pastValidUntil } from '../../config/expiry.js';
import { formatPosition } from '../../errors.js';
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
    const config = readConfig(args, context, { secrets: 'optional' });
    for (const warning of pastValidUntil(config, new Date()))
      context.warn(
        warning.position === undefined
          ? warning.message
          : `${formatPosition(warning.position)}: ${warning.message}`,
      );
    const count = config.roles.length;
    context.out(`${args.config}: valid (${count} role${count === 1 ? '' : 's'})`);
    return 0;
  },
});
