import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { prepareMeasurements } from '../../src/aggregation/engine.js';
import type { ExecutionSummary, MeasurementInfo, CgroupInfo, UsageRecord } from '../../src/aggregation/types.js';
import { FIXTURE_BIN } from '../helpers/cli.js';

export interface DrivenRun {
  records: UsageRecord[];
  summary: ExecutionSummary;
  info: MeasurementInfo;
  cgroup: CgroupInfo | null;
  stdout: string;
  exitCode: number | null;
  argvPrefix: string[];
}

/**
 * Run a fixture program under the engine the way the run loop does: prepare,
 * spawn detached (its own session) behind argvPrefix, sample every
 * `sampleMs`, report every `reportEvery` samples and once after exit, close.
 */
export async function driveEngine(
  program: string,
  args: string[],
  opts: { requested: string[]; sampleMs?: number; reportEvery?: number; cgroupMode?: 'reader' | 'isolate'; timeoutMs?: number },
): Promise<DrivenRun> {
  const sampleMs = opts.sampleMs ?? 200;
  const prepared = await prepareMeasurements({
    requested: opts.requested,
    sampleInterval: sampleMs / 1000,
    reportInterval: (sampleMs * (opts.reportEvery ?? 5)) / 1000,
    cgroupMode: opts.cgroupMode ?? 'reader',
    mode: 'new-session',
  });
  const argv = [...prepared.argvPrefix, join(FIXTURE_BIN, program), ...args];
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  const engine = prepared.start(child.pid!);
  const records: UsageRecord[] = [];
  const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), opts.timeoutMs ?? 30_000);
  try {
    let n = 0;
    while (!done) {
      await engine.sample();
      if (++n % (opts.reportEvery ?? 5) === 0) {
        const r = await engine.report();
        if (r) records.push(r);
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, sampleMs))]);
    }
    const exitCode = await exited;
    const last = await engine.report();
    if (last) records.push(last);
    return { records, summary: engine.summary(), info: engine.describe(), cgroup: engine.cgroup(), stdout, exitCode, argvPrefix: prepared.argvPrefix };
  } finally {
    clearTimeout(killer);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the session is already gone
    }
    await engine.close();
  }
}
