// The migrate Job is named per deploy: one name per exact tag, valid as a Kubernetes name
// (DNS-1123 label, at most 63), and never for the moving tag `latest`.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@wxyc/job-runtime';
import { migrateJobName, migrateManifest } from '@wxyc/k8s';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const opts = (tag: string) => ({ registry: null, tag, namespace: 'wxyc-jobs', secret: 'wxyc-jobs-env' });

describe('migrate Job name', () => {
  it('tags that read alike get different names, each a valid DNS-1123 label of at most 63', () => {
    const tags = [
      'v1.0',
      'v1-0',
      'V1_0',
      'v1..0',
      'sha-abc123',
      'SHA-ABC123',
      '_',
      '9',
      'a'.repeat(128),
      `${'a'.repeat(127)}b`,
      `${'x'.repeat(60)}.y`,
      `${'x'.repeat(60)}-y`,
    ];
    const names = tags.map(migrateJobName);
    expect(new Set(names).size).toBe(tags.length);
    for (const n of names) {
      expect(n, n).toMatch(DNS_1123_LABEL);
      expect(n.length, n).toBeLessThanOrEqual(63);
      expect(n.startsWith('migrate-')).toBe(true);
    }
    // the same tag, the same name (a re-run of one deploy finds its own Job)
    expect(migrateJobName('v1.0')).toBe(migrateJobName('v1.0'));
    expect(migrateJobName('sha-abc123')).toMatch(/^migrate-sha-abc123-[0-9a-f]{8}$/);
    expect(migrateJobName('_')).toMatch(/^migrate-[0-9a-f]{8}$/);
    // and every one passes the Kubernetes schema
    for (const t of tags) expect(() => migrateManifest(opts(t)).validate()).not.toThrow();
  });

  it('refuses latest (any case): a ConfigError, so exit 2 with one line', () => {
    for (const t of ['latest', 'LATEST', 'Latest']) {
      expect(() => migrateJobName(t)).toThrow(ConfigError);
      expect(() => migrateManifest(opts(t))).toThrow(
        /the migrate Job needs the image tag of this deploy \(--tag sha-<commit> or IMAGE_TAG\), not "latest"/,
      );
    }
  });
});
