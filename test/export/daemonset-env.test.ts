import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { resolveExportPlan } from '../../src/export/plan.js';
import { REPO_ROOT } from '../helpers/cli.js';

interface EnvVar { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }

test('deploy/daemonset.yaml wires OTLP: its variables resolve to events sent as log records to the collector, no metrics', () => {
  const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, 'deploy', 'daemonset.yaml'), 'utf8')).map((d) => d.toJSON() as Record<string, any>);
  const container = docs.find((d) => d.kind === 'DaemonSet')!.spec.template.spec.containers[0];
  const vars = container.env as EnvVar[];
  const env: NodeJS.ProcessEnv = {};
  for (const v of vars) if (v.value !== undefined) env[v.name] = v.value;
  assert.deepEqual(vars.find((v) => v.name === 'NODE_NAME')?.valueFrom, { fieldRef: { fieldPath: 'spec.nodeName' } });
  // $(NODE_NAME) is expanded by the kubelet, as it is named before use
  assert.ok(vars.findIndex((v) => v.name === 'NODE_NAME') < vars.findIndex((v) => v.name === 'OTEL_RESOURCE_ATTRIBUTES'));
  assert.equal(env.OTEL_RESOURCE_ATTRIBUTES, 'k8s.node.name=$(NODE_NAME)');
  const plan = resolveExportPlan(
    { otlp: false, 'prom-textfile': '', pushgateway: '', 'pushgateway-reports': false, 'export-timeout': 3, 'export-job': '', 'export-command-line': false },
    { env, host: 'node-1', argv: ['duct-detect'] },
  );
  assert.deepEqual(plan?.otlp, {
    logs: { url: 'http://otel-collector.observability:4318/v1/logs', protocol: 'http/protobuf', timeoutMs: 2400 },
    metrics: null,
  });
  assert.deepEqual(plan?.warnings, []);
});
