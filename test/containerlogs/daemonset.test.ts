import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { resolveDetectPlan } from '../../src/cli/detect.js';
import { REPO_ROOT } from '../helpers/cli.js';

interface Mount { name: string; mountPath: string; readOnly?: boolean }
interface Volume { name: string; hostPath?: { path: string; type?: string } }

test('deploy/daemonset.yaml runs duct detect --follow with pod logs read-only and the cursor on a hostPath', async () => {
  const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, 'deploy', 'daemonset.yaml'), 'utf8')).map((d) => d.toJSON() as Record<string, any>);
  const ds = docs.find((d) => d.kind === 'DaemonSet');
  assert.ok(ds, 'a DaemonSet');
  const spec = ds.spec.template.spec;
  const c = spec.containers[0];
  const args = c.args as string[];
  assert.equal(args[0], 'detect');
  // the arguments resolve into a valid plan: the manifest cannot drift from the CLI
  const yargs = (await import('yargs')).default;
  const parsed = yargs(args.slice(1)).parserConfiguration({ 'camel-case-expansion': false }).parseSync() as Record<string, unknown>;
  const plan = resolveDetectPlan({ ...parsed, files: parsed._, 'hang-threshold': 300, 'correlation-window': 300 });
  assert.deepEqual(
    [plan.containers.follow, plan.containers.startAt, plan.containers.stateDir, plan.containers.rotateSizeBytes, plan.files],
    [true, 'end', '/var/lib/duct', 10 * 1024 * 1024, ['/var/log/pods/*/*/*.log', '!/var/log/pods/duct_*/**']],
  );
  const mounts = c.volumeMounts as Mount[];
  const volumes = spec.volumes as Volume[];
  const logs = mounts.find((m) => m.mountPath === '/var/log/pods');
  assert.equal(logs?.readOnly, true);
  assert.equal(volumes.find((v) => v.name === logs!.name)?.hostPath?.path, '/var/log/pods');
  const state = mounts.find((m) => m.mountPath === '/var/lib/duct');
  assert.notEqual(state?.readOnly, true);
  assert.equal(volumes.find((v) => v.name === state!.name)?.hostPath?.path, '/var/lib/duct');
  assert.equal(ds.metadata.namespace, 'duct'); // the exclusion pattern above names this namespace
});
