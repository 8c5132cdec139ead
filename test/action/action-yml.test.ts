/**
 * action.yml against the code: every input it declares reaches the entry point under the
 * name the code reads, and every output it declares is one the entry point writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/package-build.js';
import { cleanUp, runStep, tempDir } from './step.js';

interface ActionYml {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: {
    using: string;
    steps: { id?: string; run: string; env?: Record<string, string> }[];
  };
}

const action = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionYml;
afterAll(cleanUp);

const entry = action.runs.steps.find((step) => step.id === 'pgward');

describe('action.yml', () => {
  it('is a composite action that runs the built entry point with Node.js', () => {
    expect(action.runs.using).toBe('composite');
    expect(entry?.run).toBe('node "$GITHUB_ACTION_PATH/dist/action/main.js"');
  });

  it('passes every input to the entry point as INPUT_<NAME>', () => {
    const passed = Object.entries(entry?.env ?? {});
    for (const name of Object.keys(action.inputs)) {
      const variable =
        name === 'github-token'
          ? 'GITHUB_TOKEN'
          : `INPUT_${name.toUpperCase().replaceAll('-', '_')}`;
      expect(passed, name).toContainEqual([variable, `\${{ inputs.${name} }}`]);
    }
    expect(passed).toHaveLength(Object.keys(action.inputs).length);
  });

  it('declares the outputs the entry point writes', async () => {
    const workspace = tempDir('pgward-action-yml-');
    writeFileSync(join(workspace, 'pgward.yaml'), 'version: 1\nroles: {}\n');
    const plan = JSON.stringify({
      format_version: 1,
      database: 'app',
      server_version_num: 180001,
      summary: { add: 0, change: 0, destroy: 0 },
      changes: [],
      warnings: [],
    });
    const result = await runStep({
      inputs: { command: 'plan' },
      event: { name: 'push' },
      cwd: workspace,
      apiUrl: 'http://127.0.0.1:9',
      // No database here: pgward's JSON answer is given, this test is about the names.
      pgward: () => Promise.resolve({ exitCode: 0, stdout: plan, stderr: '' }),
    });
    expect(result.exitCode).toBe(0);
    expect(Object.keys(result.outputs).sort()).toEqual(Object.keys(action.outputs).sort());
    for (const [name, output] of Object.entries(action.outputs)) {
      expect(output.value).toBe(`\${{ steps.pgward.outputs.${name} }}`);
    }
  });
});
