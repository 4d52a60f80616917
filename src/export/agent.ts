import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import type { OtlpSignal } from './plan.js';

/**
 * Sockets of an export never keep duct alive: once the run is over and the bounded flush has
 * waited, duct exits even if an endpoint still holds a request open.
 */
class UnrefHttpAgent extends HttpAgent {
  override createConnection(...args: Parameters<HttpAgent['createConnection']>): Duplex {
    const socket = super.createConnection(...args) as Duplex & { unref?: () => void };
    socket.unref?.();
    return socket;
  }
}

class UnrefHttpsAgent extends HttpsAgent {
  override createConnection(...args: Parameters<HttpAgent['createConnection']>): Duplex {
    const socket = (super.createConnection as HttpAgent['createConnection'])(...args) as Duplex & { unref?: () => void };
    socket.unref?.();
    return socket;
  }
}

/** OTEL_EXPORTER_OTLP_[SIGNAL_]{CERTIFICATE,CLIENT_CERTIFICATE,CLIENT_KEY}, read as the SDK reads them (it would, were the agent its own). */
function tlsFiles(signal: OtlpSignal, env: NodeJS.ProcessEnv): AgentOptions {
  const S = signal.toUpperCase();
  const file = (name: string): Buffer | undefined => {
    const path = env[`OTEL_EXPORTER_OTLP_${S}_${name}`] ?? env[`OTEL_EXPORTER_OTLP_${name}`];
    if (path === undefined || path.trim() === '') return undefined;
    try {
      return readFileSync(path);
    } catch {
      return undefined; // as in the SDK: an unreadable file is not used (the TLS handshake then names the problem)
    }
  };
  return { ca: file('CERTIFICATE'), cert: file('CLIENT_CERTIFICATE'), key: file('CLIENT_KEY') };
}

/** The exporters' `httpAgentOptions` factory: keep-alive agents whose sockets are unref'd. */
export function unrefAgentFactory(signal: OtlpSignal, env: NodeJS.ProcessEnv): (protocol: string) => Promise<HttpAgent> {
  return (protocol) => Promise.resolve(protocol === 'http:' ? new UnrefHttpAgent({ keepAlive: true }) : new UnrefHttpsAgent({ keepAlive: true, ...tlsFiles(signal, env) }));
}
