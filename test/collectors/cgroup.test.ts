import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverCgroup, parseMountinfo, parseProcCgroup, slurmJobPath, readCgroupDiscoveryInput } from '../../src/collectors/cgroup-discovery.js';
import { cgroupCollector, readMemoryLimit } from '../../src/collectors/cgroup.js';
import { parseCount, parseFlatKeyed, parseLimit } from '../../src/collectors/cgroup-files.js';
import { REPO_ROOT } from '../helpers/cli.js';

const FIX = join(REPO_ROOT, 'test', 'fixtures', 'cgroup');
function layoutOf(name: string) {
  const dir = join(FIX, name);
  return discoverCgroup({ mountinfo: readFileSync(join(dir, 'mountinfo'), 'utf8'), procSelfCgroup: readFileSync(join(dir, 'cgroup'), 'utf8'), sysRoot: dir });
}
const ALL = new Set(['mem_current', 'mem_peak', 'cpu_usage', 'oom_kills', 'job_mem_peak']);

test('parseMountinfo finds v1 hierarchies with their controllers and the cgroup2 mount', () => {
  const m = parseMountinfo(readFileSync(join(FIX, 'hybrid', 'mountinfo'), 'utf8'));
  assert.deepEqual(
    m.map((x) => [x.version, x.mountpoint, x.controllers.join(',')]),
    [
      ['v1', '/sys/fs/cgroup/cpu', 'cpu'],
      ['v1', '/sys/fs/cgroup/cpuacct', 'cpuacct'],
      ['v1', '/sys/fs/cgroup/memory', 'memory'],
      ['v1', '/sys/fs/cgroup/systemd', 'name=systemd'],
      ['v2', '/sys/fs/cgroup/unified', ''],
    ],
  );
  assert.equal(parseMountinfo('1 2 0:3 / /a\\040b rw - cgroup2 cgroup2 rw')[0]!.mountpoint, '/a b');
});

test('parseProcCgroup reads v1 controller lists and the v2 0:: line', () => {
  assert.deepEqual(parseProcCgroup('3:cpu,cpuacct:/a\n0::/b\n1:name=systemd:/c'), [
    { hierarchy: 3, controllers: ['cpu', 'cpuacct'], path: '/a' },
    { hierarchy: 0, controllers: [], path: '/b' },
    { hierarchy: 1, controllers: ['name=systemd'], path: '/c' },
  ]);
});

test('slurmJobPath walks up to job_<id>', () => {
  assert.equal(slurmJobPath('/slurm_node01/uid_1000/job_4242/step_0/task_0'), '/slurm_node01/uid_1000/job_4242');
  assert.equal(slurmJobPath('/system.slice/slurmstepd.scope/job_77/step_1/user/task_0'), '/system.slice/slurmstepd.scope/job_77');
  assert.equal(slurmJobPath('/user.slice/job_x'), null);
});

test('cgroup file parsers', () => {
  assert.deepEqual(parseFlatKeyed('oom_kill_disable 0\nunder_oom 0\noom_kill 2\n'), { oom_kill_disable: 0, under_oom: 0, oom_kill: 2 });
  assert.equal(parseLimit('max\n'), null);
  assert.equal(parseLimit('9223372036854771712\n'), null);
  assert.equal(parseLimit('4294967296\n'), 4294967296);
  assert.equal(parseCount('12500000000\n'), 12500000000);
  assert.throws(() => parseCount('x'));
});

test('v1 under SLURM: memory and cpu,cpuacct located; job peak one level above the step', async () => {
  const l = layoutOf('v1-slurm');
  assert.equal(l.version, 'v1');
  assert.equal(l.memory?.path, '/slurm_node01/uid_1000/job_4242/step_0/task_0');
  assert.equal(l.cpu?.dir, join(FIX, 'v1-slurm', 'sys/fs/cgroup/cpu,cpuacct/slurm_node01/uid_1000/job_4242/step_0/task_0'));
  assert.equal(l.jobMemory?.path, '/slurm_node01/uid_1000/job_4242');
  const c = cgroupCollector(l);
  assert.deepEqual(Object.values(c.available()), [null, null, null, null, null]);
  const r = await c.collect([], ALL);
  assert.deepEqual(r.single, { mem_current: 104857600, mem_peak: 524288000, cpu_usage: 12.5, oom_kills: 2, job_mem_peak: 1073741824 });
  assert.equal(readMemoryLimit(l), null, 'v1 unlimited sentinel');
});

test('v2: memory.peak, memory.events oom_kill, cpu.stat usage_usec → seconds; no job above', async () => {
  const l = layoutOf('v2');
  assert.equal(l.version, 'v2');
  assert.equal(l.memory?.version, 'v2');
  assert.equal(l.cpu?.path, '/user.slice/user-1000.slice/session-3.scope');
  const c = cgroupCollector(l);
  const r = await c.collect([], ALL);
  assert.deepEqual(r.single, { mem_current: 52428800, mem_peak: 209715200, cpu_usage: 3.5, oom_kills: 1 });
  assert.match(String(c.available()['job_mem_peak']), /no SLURM job cgroup/);
});

test('v2 under SLURM: the job_<id> ancestor gives cgroup_job_mem_peak and a limit', async () => {
  const l = layoutOf('v2-slurm');
  assert.equal(l.jobMemory?.path, '/system.slice/slurmstepd.scope/job_77');
  const r = await cgroupCollector(l).collect([], new Set(['mem_peak', 'job_mem_peak']));
  assert.deepEqual(r.single, { mem_peak: 2000, job_mem_peak: 3000 });
  assert.equal(readMemoryLimit(l), 8589934592);
});

test('hybrid (this machine\'s shape): v1 memory and cpuacct, cgroup2 without memory ignored for memory', async () => {
  const l = layoutOf('hybrid');
  assert.equal(l.version, 'hybrid');
  assert.equal(l.memory?.version, 'v1');
  assert.equal(l.memory?.path, '/process_api/abc');
  assert.equal(l.cpu?.version, 'v1');
  assert.equal(l.cpu?.isRoot, true);
  const c = cgroupCollector(l);
  assert.match(String(c.available()['cpu_usage']), /root CPU accounting cgroup.*whole machine/);
  const r = await c.collect([], ALL);
  assert.deepEqual(r.single, { mem_current: 5505024, mem_peak: 747155456, oom_kills: 0 }, 'the root cpuacct group is not read');
});

test('hybrid with memory only in the unified hierarchy: memory from v2, cpu from v1', async () => {
  const l = layoutOf('hybrid-v2-memory');
  assert.equal(l.memory?.version, 'v2');
  assert.equal(l.cpu?.version, 'v1');
  const c = cgroupCollector(l);
  const a = c.available();
  assert.equal(a['mem_current'], null);
  assert.match(String(a['mem_peak']), /memory\.peak.*5\.19/);
  const r = await c.collect([], ALL);
  assert.deepEqual(r.single, { mem_current: 4096, cpu_usage: 2 });
});

test('container: v1 mount roots equal to the cgroup path map to the mount itself', async () => {
  const l = layoutOf('v1-container');
  assert.equal(l.memory?.dir, join(FIX, 'v1-container', 'sys/fs/cgroup/memory'));
  const r = await cgroupCollector(l).collect([], new Set(['mem_peak']));
  assert.equal(r.single['mem_peak'], 888);
  assert.equal(readMemoryLimit(l), 1073741824);
});

test('no cgroups: every field unavailable with a reason', () => {
  const l = layoutOf('none');
  assert.equal(l.version, 'none');
  const a = cgroupCollector(l).available();
  for (const f of ['mem_current', 'mem_peak', 'cpu_usage', 'oom_kills', 'job_mem_peak']) assert.match(String(a[f]), /no cgroup filesystem/, f);
});

test('the real machine: discovery finds a readable memory cgroup (hybrid v1 here)', async (t) => {
  const l = discoverCgroup(readCgroupDiscoveryInput());
  if (!l.memory) return t.skip(`no memory cgroup on this machine: ${l.memoryReason}`);
  const c = cgroupCollector(l);
  assert.equal(c.available()['mem_current'], null);
  const r = await c.collect([], new Set(['mem_current', 'mem_peak']));
  assert.ok(r.single['mem_current']! > 0);
  assert.ok(r.single['mem_peak']! >= r.single['mem_current']! * 0.5);
});

test('v2 root cgroup (no cgroup.type): its machine-wide counters are refused with the reason', () => {
  const l = layoutOf('v2-root');
  assert.equal(l.memory?.isRoot, true);
  const a = cgroupCollector(l).available();
  assert.match(String(a['cpu_usage']), /root CPU accounting cgroup/);
  assert.match(String(a['mem_peak']), /root memory cgroup/);
});
