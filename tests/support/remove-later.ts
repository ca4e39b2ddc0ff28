import { spawn } from 'node:child_process';

/**
 * Removes a big temp tree (image build contexts with their installed node_modules) without making
 * the test file wait: under load a synchronous rm of it outlasted vitest's 120 s hook timeout
 * after every test had passed. The rm outlives this process if it must.
 */
export function removeLater(dir: string): void {
  spawn('rm', ['-rf', '--', dir], { detached: true, stdio: 'ignore' }).unref();
}
