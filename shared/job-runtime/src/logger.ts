export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Lines prefixed with `[name]`; info goes to stdout, warnings and errors to stderr. */
export function createLogger(name: string, out: Pick<Console, 'log' | 'error'> = console): Logger {
  const prefix = `[${name}]`;
  return {
    info: (m) => out.log(`${prefix} ${m}`),
    warn: (m) => out.error(`${prefix} warning: ${m}`),
    error: (m) => out.error(`${prefix} error: ${m}`),
  };
}
