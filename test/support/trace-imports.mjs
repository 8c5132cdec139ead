// `node --import ./trace-imports.mjs ...`: appends the URL of every ES module the process
// imports to the file named by PGWARD_TRACE_IMPORTS, one a line (the hooks run in a thread of
// their own, hence a file rather than memory).
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.PGWARD_TRACE_IMPORTS, result.url + '\\n');
  return result;
}`)}`,
);
