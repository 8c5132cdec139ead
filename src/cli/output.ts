/** The views of a plan the CLI prints (spec §3), all from the same Plan. */
import type { Plan } from '../model/operations.js';
import { planToJson } from '../plan/planfile.js';
import { driftToJson } from '../report/drift-json.js';
import { renderPlanMarkdown } from '../report/markdown.js';
import { renderPlanSql } from '../report/sql.js';
import { renderPlanText } from '../report/text.js';
import type { ReportMode } from '../report/wording.js';

export const PLAN_FORMATS = ['text', 'json', 'markdown', 'sql'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/** `pgward plan --format json` and plan files: the JSON plan, 2-space indented. */
export function planJson(plan: Plan): string {
  return `${JSON.stringify(planToJson(plan), null, 2)}\n`;
}

export interface RenderOptions {
  readonly color: boolean;
  readonly mode?: ReportMode;
}

/**
 * The plan in `format`. Warnings are left out of the terminal views: the CLI prints them on
 * stderr, once, whatever the format. The JSON plan keeps them, for scripts, and so does the
 * markdown, which is a pull-request comment: a warning only on the job's stderr is lost. A
 * drift report's findings are what it reports, so they stay in every drift view; in a plan
 * they are warnings.
 */
export function renderPlanAs(plan: Plan, format: PlanFormat, options: RenderOptions): string {
  const mode = options.mode ?? 'plan';
  const withoutWarnings: Plan = {
    ...plan,
    warnings: [],
    findings: mode === 'drift' ? plan.findings : [],
  };
  switch (format) {
    case 'text':
      return renderPlanText(withoutWarnings, { color: options.color, mode });
    case 'json':
      return mode === 'drift' ? `${JSON.stringify(driftToJson(plan), null, 2)}\n` : planJson(plan);
    case 'markdown':
      return renderPlanMarkdown(plan, { mode });
    case 'sql':
      return renderPlanSql(withoutWarnings);
  }
}
