/**
 * A ps duration in seconds: procps `time` is `[DD-]HH:MM:SS`, `etime`
 * `[[DD-]HH:]MM:SS`, BSD/macOS `time` `[HH:]MM:SS.cc` — one positional base-60
 * reading with an optional day prefix covers them all.
 */
export function parsePsDuration(text: string): number {
  const m = /^(?:(\d+)-)?(\d+(?:\.\d+)?(?::\d+(?:\.\d+)?){0,2})$/.exec(text.trim());
  if (m?.[2] === undefined) throw new Error(`not a ps duration: ${JSON.stringify(text)}`);
  let secs = 0;
  for (const part of m[2].split(':')) secs = secs * 60 + Number(part);
  return secs + (m[1] === undefined ? 0 : Number(m[1]) * 86400);
}
