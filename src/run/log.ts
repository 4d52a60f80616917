import type { Writable } from 'node:stream';

export type LogLevel = 'NONE' | 'CRITICAL' | 'ERROR' | 'WARNING' | 'INFO' | 'DEBUG';
const RANK: Record<LogLevel, number> = { NONE: 99, CRITICAL: 50, ERROR: 40, WARNING: 30, INFO: 20, DEBUG: 10 };

/** duct's own messages on stderr, filtered by -l/--log-level (NONE silences everything, the summary too). */
export class Logger {
  constructor(
    private readonly level: LogLevel,
    private readonly out: Pick<Writable, 'write'>,
  ) {}

  enabled(level: Exclude<LogLevel, 'NONE'>): boolean {
    return RANK[level] >= RANK[this.level];
  }

  log(level: Exclude<LogLevel, 'NONE'>, msg: string): void {
    if (this.enabled(level)) this.write(`duct: ${level === 'INFO' || level === 'DEBUG' ? '' : `${level.toLowerCase()}: `}${msg}\n`);
  }

  /** raw text (the summary), shown at INFO and below. */
  text(level: Exclude<LogLevel, 'NONE'>, text: string): void {
    if (this.enabled(level)) this.write(text);
  }

  private write(s: string): void {
    try {
      this.out.write(s);
    } catch {
      // stderr closed: nothing left to tell
    }
  }
}
