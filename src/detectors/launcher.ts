/**
 * The prefixes distributed launchers put in front of each line, and the rank they name:
 *   torchrun / accelerate / DeepSpeed   `[rank1]: ...`
 *   torchrun --tee, --log-dir           `[default0]: ...` (role name + local rank)
 *   OpenMPI --tag-output                `[1,0]<stderr>: ...` (job id, rank)
 *   srun --label                        `0: ...`
 * possibly behind a pdsh host name (`worker-5: [rank22]: ...`), a log collector's timestamp
 * (`2024-11-20 14:37:16 [rank3]: ...`), a Ray actor tag
 * (`(RayWorkerWrapper pid=4009) [rank1]: ...`) or colour codes, and possibly repeated.
 */

export interface LauncherPrefix {
  /** the rank the prefix names; null when it names none. */
  rank: number | null;
  /** the line after its prefixes. */
  rest: string;
}

const ANSI = /^\x1b\[[\d;]*m/;
const RAY_TAG = /^\([A-Za-z_][^()\n]{0,80}\) /;
// a host name only counts in front of a bracketed prefix, so `RuntimeError: ...` is never one
const HOST = /^[A-Za-z][\w.-]{0,63}: (?=\[)/;
// a timestamp only counts in front of a bracketed prefix too
const STAMP = /^\d{4}-\d\d-\d\d[ T_]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)? (?=\[)/;
const ROLE_RANK = /^\[[A-Za-z_]+(\d{1,6})\]: ?/;
const MPI_RANK = /^\[\d{1,6},(\d{1,6})\](?:<std(?:out|err)>)?: ?/;
const SRUN_LABEL = /^(\d{1,6}): /;
// any other bracketed tag followed by a colon (a timestamp, a logger name): stripped, names no rank
const OTHER_TAG = /^\[[^\]\n]{1,64}\](?:<std(?:out|err)>)?: ?/;

const RANKED: readonly RegExp[] = [ROLE_RANK, MPI_RANK, SRUN_LABEL];
const UNRANKED: readonly RegExp[] = [ANSI, RAY_TAG, HOST, STAMP, OTHER_TAG];
/** Prefixes are short: nothing past this many of them is looked at. */
const MAX_PREFIXES = 6;

/** Splits off every launcher prefix; the rank is the outermost one a prefix names. */
export function splitLauncherPrefix(text: string): LauncherPrefix {
  let rest = text;
  let rank: number | null = null;
  outer: for (let n = 0; n < MAX_PREFIXES && rest.length > 0; n++) {
    const c = rest.charCodeAt(0);
    // every prefix starts with `[`, `(`, ESC, a letter or a digit: a space or punctuation ends the prefixes at once
    if (c === 32 || c === 9) break;
    for (const re of RANKED) {
      const m = re.exec(rest);
      if (m) {
        rank ??= Number(m[1]);
        rest = rest.slice(m[0].length);
        continue outer;
      }
    }
    for (const re of UNRANKED) {
      const m = re.exec(rest);
      if (m) {
        rest = rest.slice(m[0].length);
        continue outer;
      }
    }
    break;
  }
  return { rank, rest };
}

/** The line without the prefixes distributed launchers put in front of each line. */
export function stripLauncherPrefix(text: string): string {
  return splitLauncherPrefix(text).rest;
}

const EMBEDDED_RANK = /\[rank(\d{1,6})\]:/;
/** How far into a line a `[rankN]:` tag may stand (behind a logger's own prefix). */
const EMBEDDED_RANK_WITHIN = 200;

/** A torchrun `[rankN]:` tag that stands behind some other prefix (`ERROR train: [rank1]: ...`), for a line whose prefixes named none. */
export function embeddedRank(text: string): number | null {
  const m = EMBEDDED_RANK.exec(text.length > EMBEDDED_RANK_WITHIN ? text.slice(0, EMBEDDED_RANK_WITHIN) : text);
  return m ? Number(m[1]) : null;
}

/**
 * Lines that name the rank of the traceback printed after them, without prefixing it:
 * torch.multiprocessing.spawn's `-- Process 1 terminated with the following error:` (the
 * process index, its local rank) and torchrun's failure summary `rank : 1 (local_rank: 1)`.
 */
const CONTEXT_RANK = /^\s*(?:-- Process (\d{1,6}) terminated with the following error:|rank\s*: (\d{1,6}) \(local_rank: \d{1,6}\))/;

/** The rank a context line names, or null. `rest` is the line without its launcher prefixes. */
export function contextRank(rest: string): number | null {
  if (!rest.includes('rank') && !rest.includes('-- Process')) return null;
  const m = CONTEXT_RANK.exec(rest);
  return m ? Number(m[1] ?? m[2]) : null;
}

/** A separator line (`=====`, `-----`) ends a torchrun summary block and the rank it named. */
export function isSeparatorLine(rest: string): boolean {
  return rest.length >= 8 && (rest.startsWith('========') || rest.startsWith('--------'));
}
