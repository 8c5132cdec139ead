/**
 * Collects every problem found while planning, so the user sees them all at once rather than
 * one per run.
 */
import { PlanError, type Problem, type SourcePosition } from '../errors.js';

export class Problems {
  private readonly items: Problem[] = [];

  /** Records a problem at the first position given that is known (most specific first). */
  add(message: string, ...positions: readonly (SourcePosition | undefined)[]): void {
    const position = positions.find((candidate) => candidate !== undefined);
    this.items.push(position === undefined ? { message } : { message, position });
  }

  get count(): number {
    return this.items.length;
  }

  /** Throws a PlanError listing every problem recorded, if any. */
  throwIfAny(): void {
    if (this.items.length > 0) throw new PlanError(this.items);
  }
}

/** `160004` → `16`, for messages. */
export function majorVersion(versionNum: number): number {
  return Math.floor(versionNum / 10000);
}
