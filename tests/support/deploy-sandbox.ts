import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCRIPTS = join(REPO_ROOT, '.github/scripts');
const FAKE_BIN = fileURLToPath(new URL('./fake-bin/', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never throws on a non-zero exit. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the child may exit without reading stdin
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * A temp folder with fake docker/crontab/ssh first on PATH (real yq, flock, timeout behind
 * them), their state files, and a HOME for the "host" side.
 */
export class DeploySandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'wxyc-deploy-'));
  readonly home = join(this.dir, 'home');
  readonly logFile = join(this.dir, 'calls.log');
  readonly crontabFile = join(this.dir, 'crontab');
  readonly runningFile = join(this.dir, 'running');
  readonly manifestsFile = join(this.dir, 'manifests');
  readonly env: NodeJS.ProcessEnv;

  constructor(extra: NodeJS.ProcessEnv = {}) {
    mkdirSync(this.home);
    writeFileSync(this.logFile, '');
    this.env = {
      PATH: `${FAKE_BIN}:${process.env.PATH}`,
      HOME: this.home,
      FAKE_LOG: this.logFile,
      FAKE_CRONTAB: this.crontabFile,
      FAKE_DOCKER_RUNNING: this.runningFile,
      FAKE_DOCKER_MANIFESTS: this.manifestsFile,
      CRON_LOCK: join(this.dir, 'crontab.lock'),
      DEPLOY_HOST: 'deploy@host.example',
      ...extra,
    };
  }

  /** Calls recorded by the fakes, one per line, words %q-quoted. */
  calls(prefix = ''): string[] {
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && l.startsWith(prefix));
  }

  crontab(): string[] {
    return existsSync(this.crontabFile)
      ? readFileSync(this.crontabFile, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
      : [];
  }

  setCrontab(lines: string[]): void {
    writeFileSync(this.crontabFile, lines.map((l) => `${l}\n`).join(''));
  }

  setRunning(names: string[]): void {
    writeFileSync(this.runningFile, names.map((n) => `${n}\n`).join(''));
  }

  setManifests(refs: string[]): void {
    writeFileSync(this.manifestsFile, refs.map((r) => `${r}\n`).join(''));
  }

  script(name: string, args: string[] = [], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
    return run('bash', [join(SCRIPTS, name), ...args], {
      env: { ...this.env, ...opts.env },
      cwd: opts.cwd ?? this.dir,
    });
  }

  writeFile(rel: string, content: string): void {
    const file = join(this.dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Parses key=value lines (the $GITHUB_OUTPUT format of the scripts). */
export function outputs(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}
