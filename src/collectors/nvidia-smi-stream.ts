import { spawn, type ChildProcess } from 'node:child_process';
import { APP_QUERY_FIELDS, GPU_QUERY_FIELDS, isHeaderLine, parseAppLine, parseGpuLine, problemOf, type AppRow, type GpuRow } from './nvidia-smi-csv.js';

/** The argv of one streaming query: CSV with its header, which nvidia-smi repeats each loop and so marks each snapshot's start. */
export function streamArgs(query: 'gpu' | 'compute-apps', intervalMs: number): string[] {
  const fields = query === 'gpu' ? GPU_QUERY_FIELDS : APP_QUERY_FIELDS;
  return [`--query-${query}=${fields.join(',')}`, '--format=csv,nounits', `-lms`, String(Math.max(1, Math.round(intervalMs)))];
}

/**
 * Splits one child's stdout into snapshots: a header line starts one; so does a row
 * whose key (a device index, a pid on a device) is already in the one being read,
 * should a loop come without its header; the device query's is also whole once it
 * holds `expectedRows` devices. Keeps only the latest whole snapshot and the one being read.
 */
export class SnapshotSplitter<R> {
  private partial = '';
  private current: R[] | null = null;
  private latestWhole: R[] | null = null;
  /** text of the lines that were no row (an error sentence), the last few. */
  private other: string[] = [];

  private keys = new Set<string>();

  constructor(
    private readonly parse: (line: string) => R | null,
    private readonly expectedRows: number | null,
    private readonly keyOf: (row: R) => string,
  ) {}

  push(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) this.line(line.replace(/\r$/, ''));
  }

  private line(line: string): void {
    if (line.trim() === '') return;
    if (isHeaderLine(line)) {
      if (this.current) this.latestWhole = this.current;
      this.current = [];
      this.keys.clear();
      return;
    }
    const row = this.parse(line);
    if (row === null) {
      this.other = [...this.other.slice(-3), line.trim()];
      return;
    }
    const key = this.keyOf(row);
    if (this.current && this.keys.has(key)) {
      this.latestWhole = this.current;
      this.current = null;
    }
    if (!this.current) this.keys.clear();
    (this.current ??= []).push(row);
    this.keys.add(key);
    if (this.expectedRows !== null && this.current.length === this.expectedRows) {
      this.latestWhole = this.current;
      this.current = null;
    }
  }

  /** The stream ended: what was being read is whole too. */
  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    if (this.current && this.current.length) this.latestWhole = this.current;
    this.current = null;
  }

  latest(): R[] | null {
    return this.latestWhole;
  }

  otherText(): string {
    return this.other.join('\n');
  }
}

export const gpuKey = (g: GpuRow): string => String(g.index);
export const appKey = (a: AppRow): string => `${a.pid}/${a.gpuUuid}`;

/**
 * The two long-lived nvidia-smi children of a run (nvidia-smi takes one
 * --query-* per invocation: one streams the devices, one the compute processes),
 * each looping at the sample interval by itself: no process is started per sample.
 * stop() kills and forgets both; should duct die outright, each dies of SIGPIPE
 * at its next write into the closed pipe (within one interval).
 */
export class NvidiaSmiStream {
  private children: ChildProcess[] = [];
  readonly gpus: SnapshotSplitter<GpuRow>;
  readonly apps = new SnapshotSplitter<AppRow>(parseAppLine, null, appKey);
  private ended: string | null = null;
  private stopped = false;

  constructor(
    private readonly command: string,
    expectedGpus: number | null,
  ) {
    this.gpus = new SnapshotSplitter<GpuRow>(parseGpuLine, expectedGpus, gpuKey);
  }

  start(intervalMs: number): void {
    for (const [query, splitter] of [['gpu', this.gpus], ['compute-apps', this.apps]] as const) {
      const child = spawn(this.command, streamArgs(query, intervalMs), { stdio: ['ignore', 'pipe', 'pipe'] });
      let errText = '';
      child.stdout!.setEncoding('utf8').on('data', (s: string) => splitter.push(s));
      child.stderr!.setEncoding('utf8').on('data', (s: string) => (errText = (errText + s).slice(-2000)));
      child.on('error', (e) => this.end(`nvidia-smi could not be started: ${e.message}`));
      child.on('close', (code, signal) => {
        splitter.end();
        if (this.stopped) return;
        const text = `${splitter.otherText()}\n${errText}`;
        this.end(`nvidia-smi (${query}) ended during the run (${signal ?? `status ${code}`}): ${problemOf(text, code) ?? (text.trim().split('\n')[0] || 'no message')}`);
      });
      // the children must not keep duct alive: stop() ends them, and a duct that exits takes their pipes along
      child.unref();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
      (child.stderr as unknown as { unref?: () => void }).unref?.();
      this.children.push(child);
    }
  }

  private end(reason: string): void {
    this.ended ??= reason;
  }

  /** Why the stream stopped before the run did (a GPU lost, nvidia-smi killed), or null while it runs. */
  problem(): string | null {
    return this.ended;
  }

  /** Pids of the children, for tests and the reaping check. */
  pids(): number[] {
    return this.children.map((c) => c.pid).filter((p): p is number => p !== undefined);
  }

  /** Kill both children and wait (bounded) until each is reaped. */
  async stop(): Promise<void> {
    this.stopped = true;
    const waits = this.children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return resolve();
          const timer = setTimeout(resolve, 2000);
          c.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          c.kill('SIGKILL');
        }),
    );
    await Promise.all(waits);
    this.children = [];
  }
}
