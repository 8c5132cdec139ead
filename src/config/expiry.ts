/**
 * `valid_until` already in the past: a valid config (PostgreSQL accepts it), but almost
 * always a mistake — the role's password logins are refused from the moment it is applied.
 * `validate` and `plan` warn about it; what counts as "now" is the caller's clock.
 */
import type { SourcePosition } from '../errors.js';
import type { Config } from './types.js';

export interface PastValidUntil {
  readonly message: string;
  /** The role's place in the config. */
  readonly position?: SourcePosition;
}

/** One warning per declared role whose `valid_until` is before `now`, in file order. */
export function pastValidUntil(config: Config, now: Date): PastValidUntil[] {
  return config.roles.flatMap((role) => {
    const validUntil = role.attributes.validUntil;
    if (typeof validUntil !== 'string' || Date.parse(validUntil) >= now.getTime()) return [];
    return [
      {
        message: `role "${role.name}": valid_until ${validUntil} is already in the past, so its password no longer lets it log in; set a later date, or null for no expiry`,
        ...(role.position === undefined ? {} : { position: role.position }),
      },
    ];
  });
}
