/** Asking a person on the terminal. */
import { createInterface } from 'node:readline';
import type { InputStream, OutputStream } from './io.js';

/**
 * Writes `question` and reads one line. Resolves '' if input ends first (Ctrl-D), so that
 * anything but an explicit answer counts as no.
 */
export function ask(input: InputStream, output: OutputStream, question: string): Promise<string> {
  output.write(question);
  return new Promise((resolve) => {
    const lines = createInterface({ input, terminal: false });
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      resolve(line.trim());
    });
    lines.once('close', () => {
      if (!answered) resolve('');
    });
  });
}

/** Terraform's confirmation: only the word `yes` goes ahead. */
export async function confirmApply(input: InputStream, output: OutputStream): Promise<boolean> {
  const answer = await ask(input, output, "\nApply these changes? Only 'yes' will be accepted: ");
  output.write('\n');
  return answer === 'yes';
}
