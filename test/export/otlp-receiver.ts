/**
 * A test OTLP/HTTP receiver on 127.0.0.1: decodes each request with the official OTLP protobuf
 * definitions (the protobufjs code generated from opentelemetry-proto that
 * @opentelemetry/otlp-transformer 0.214 ships), http/protobuf and http/json alike, into one
 * normalized object shape; or misbehaves on purpose (503, hang) to test duct's bounds.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';

interface MessageType {
  decode(bytes: Uint8Array): object;
  fromObject(json: object): object;
  toObject(message: object, options: Record<string, unknown>): Record<string, unknown>;
}
interface OtlpRoot {
  opentelemetry: { proto: { collector: {
    logs: { v1: { ExportLogsServiceRequest: MessageType } };
    metrics: { v1: { ExportMetricsServiceRequest: MessageType } };
  } } };
}
const root = createRequire(import.meta.url)('otlp-transformer-protobufjs/build/src/generated/root.js') as OtlpRoot;
const TYPES: Record<string, MessageType> = {
  '/v1/logs': root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest,
  '/v1/metrics': root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest,
};
/** int64 as decimal strings, enums as numbers, bytes base64: the same shape from either encoding. */
const TO_OBJECT = { longs: String, enums: Number, bytes: String, arrays: true, defaults: false };

export interface ReceivedRequest {
  path: string;
  contentType: string;
  headers: IncomingHttpHeaders;
  /** the decoded request, or null when its path or encoding is not OTLP's. */
  body: Record<string, unknown> | null;
  /** why body is null. */
  error: string | null;
}

export type ReceiverMode = 'ok' | '503' | 'hang';

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

function decode(path: string, contentType: string, bytes: Buffer): { body: Record<string, unknown> | null; error: string | null } {
  const type = TYPES[path];
  if (!type) return { body: null, error: `no OTLP signal at ${path}` };
  try {
    if (contentType.startsWith('application/x-protobuf')) return { body: type.toObject(type.decode(bytes), TO_OBJECT), error: null };
    if (contentType.startsWith('application/json')) return { body: type.toObject(type.fromObject(JSON.parse(bytes.toString('utf8')) as object), TO_OBJECT), error: null };
    return { body: null, error: `unexpected content-type ${contentType}` };
  } catch (err) {
    return { body: null, error: (err as Error).message };
  }
}

/** Start a receiver; `ok` answers 200 with an empty response of the request's encoding. */
export async function startReceiver(mode: ReceiverMode = 'ok'): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const contentType = String(req.headers['content-type'] ?? '');
      requests.push({ path, contentType, headers: req.headers, ...decode(path, contentType, Buffer.concat(chunks)) });
      if (mode === 'hang') return; // never answers: duct's timeouts must end the request
      if (mode === '503') {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('overloaded');
        return;
      }
      if (contentType.startsWith('application/json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** `[{key, value: {stringValue|intValue|...}}]` → a plain map (int64 strings become numbers). */
export function attributeMap(kvs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of (kvs as Array<{ key: string; value: Record<string, unknown> }> | undefined) ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

export function anyValue(v: Record<string, unknown> | undefined): unknown {
  if (v === undefined) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Array<Record<string, unknown>> }).values ?? []).map(anyValue);
  if ('kvlistValue' in v) return attributeMap((v.kvlistValue as { values?: unknown }).values);
  return undefined;
}
