/** The largest end ≤ `end` in buf[start, end) that does not split a UTF-8 sequence, so a cut message decodes cleanly. */
export function utf8SafeEnd(buf: Buffer, start: number, end: number): number {
  // walk back over at most 3 continuation bytes to the lead byte of the last sequence
  let lead = end - 1;
  while (lead >= start && lead > end - 4 && (buf[lead]! & 0xc0) === 0x80) lead--;
  if (lead < start) return end;
  const b = buf[lead]!;
  const need = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return lead + need > end ? lead : end;
}
