import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineEnvironment } from '../../src/aggregation/engine.js';
import { classify, isMember, parsePsSessions, procSessionTree, psSessionTree, ownSessionId } from '../../src/collectors/process-tree.js';
import { REPO_ROOT, pollUntil } from '../helpers/cli.js';

const procRoot = join(REPO_ROOT, 'test', 'fixtures', 'proc', 'session');

test('isMember: same session, not excluded, not one of duct\'s helpers', () => {
  const spec = { sessionId: 50, excludePids: [7], helperParent: 7, keepPid: 60 };
  assert.equal(isMember(spec, 60, 7, 50), true, 'the command itself, a child of duct');
  assert.equal(isMember(spec, 61, 7, 50), false, 'a ps helper of duct');
  assert.equal(isMember(spec, 7, 1, 50), false, 'duct itself');
  assert.equal(isMember(spec, 62, 60, 50), true);
  assert.equal(isMember(spec, 63, 60, 51), false, 'another session');
  assert.equal(classify(spec, 61, 7, 50), 'helper');
  assert.equal(classify(spec, 64, 61, 50, new Set([61])), 'helper', 'a helper\'s child (sh -c lscpu → lscpu) is a helper too');
});

test('procSessionTree on a fixture /proc: members of session 4000 only', async () => {
  const tree = procSessionTree({ sessionId: 4000, excludePids: [], helperParent: null, keepPid: 4000 }, procRoot);
  assert.deepEqual(await tree.members(), [4000, 4001]);
  assert.deepEqual(await tree.members(), [4000, 4001], 'cached answer is the same');
  assert.equal(ownSessionId(procRoot), 4100);
});

test('parsePsSessions', () => {
  assert.deepEqual(parsePsSessions('  10   1  10\n  11  10  10\nbad\n'), [
    { pid: 10, ppid: 1, session: 10 },
    { pid: 11, ppid: 10, session: 10 },
  ]);
});

for (const [name, make] of [
  ['proc', procSessionTree],
  ['ps', psSessionTree],
] as const) {
  test(`${name} tree source: a detached command and its child are members; none once they exit`, async () => {
    // sh (session leader) → sleep child; sh waits
    const child = spawn('/bin/sh', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    try {
      const tree = make({ sessionId: child.pid!, excludePids: [], helperParent: null, keepPid: child.pid! });
      let members: number[] = [];
      await pollUntil(async () => (members = await tree.members()).length === 2, 5000, 'sh and sleep');
      assert.ok(members.includes(child.pid!));
      process.kill(-child.pid!, 'SIGKILL');
      await pollUntil(async () => (await tree.members()).length === 0, 5000, 'the session to end');
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

test('current-session mode: the command and its children are members; duct itself and its other children are not', { skip: !existsSync('/proc/self/stat') && 'needs /proc' }, async () => {
  const command = spawn('/bin/sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
  const helper = spawn('/bin/sh', ['-c', 'sleep 31 & wait'], { stdio: 'ignore' });
  try {
    const tree = machineEnvironment().tree(command.pid!, 'current-session');
    let members: number[] = [];
    await pollUntil(async () => {
      members = await tree.members();
      return members.includes(command.pid!) && members.length > 0 && (await childrenOf(command.pid!)).every((p) => members.includes(p)) && (await childrenOf(command.pid!)).length === 1;
    }, 5000, 'the command and its sleep');
    assert.ok(!members.includes(process.pid), 'duct itself is excluded');
    assert.ok(!members.includes(helper.pid!), 'a child of duct that is not the command is a helper');
    await pollUntil(async () => (await childrenOf(helper.pid!)).length === 1, 5000, 'the helper\'s child');
    const helperChild = (await childrenOf(helper.pid!))[0]!;
    assert.ok(!(await tree.members()).includes(helperChild), 'and so is its child');
  } finally {
    // the grandchildren first, while they are still findable by parent
    for (const p of [...(await childrenOf(command.pid!)), ...(await childrenOf(helper.pid!))]) process.kill(p, 'SIGKILL');
    command.kill('SIGKILL');
    helper.kill('SIGKILL');
  }
});

async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}
