import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

const CHECK = join(REPO_ROOT, 'scripts', 'slurm', 'check-host.sh');

test('check-host.sh names why SLURM cannot run (here: no cgroup v1 memory controller at the root given)', () => {
  const r = spawnSync(CHECK, { encoding: 'utf8', env: { ...process.env, CGROUP_ROOT: '/nonexistent-cgroup-root' } });
  assert.equal(r.status, 1);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  // whichever check fails first, the line says what is missing
  assert.match(
    lines[0]!,
    /^(not root \(uid \d+\)|slurm-wlm is not installed|munge is not installed|no cgroup v1 memory controller mounted at \/nonexistent-cgroup-root\/memory)/,
  );
});

test('start-cluster.sh refuses without a state directory, and where the host cannot run SLURM', () => {
  const usage = spawnSync(join(REPO_ROOT, 'scripts', 'slurm', 'start-cluster.sh'), { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /^usage: .*start-cluster\.sh STATE_DIR/);
  const refused = spawnSync(join(REPO_ROOT, 'scripts', 'slurm', 'start-cluster.sh'), ['/nonexistent-state'], {
    encoding: 'utf8',
    env: { ...process.env, CGROUP_ROOT: '/nonexistent-cgroup-root' },
  });
  assert.equal(refused.status, 3);
  assert.match(refused.stderr, /^cannot start SLURM here: /);
});
