import { ConfigError } from './errors.js';

type Env = Record<string, string | undefined>;

export function requireEnv(env: Env, name: string, what: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is not set: it must be ${what}.`);
  return value;
}

export interface IntOptions {
  default: number;
  min?: number;
  max?: number;
}

/** An integer env var; anything that is not a whole number within bounds is a ConfigError. */
export function intEnv(env: Env, name: string, opts: IntOptions): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return opts.default;
  const min = opts.min ?? Number.MIN_SAFE_INTEGER;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^-?\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    const range = opts.max === undefined ? `>= ${min}` : `between ${min} and ${max}`;
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected a whole number ${range}.`);
  }
  return Number(raw);
}

export function boolEnv(env: Env, name: string, defaultValue = false): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return defaultValue;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected true/false (or 1/0).`);
}
