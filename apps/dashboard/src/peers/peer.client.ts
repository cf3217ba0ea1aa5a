import { BadGatewayException, Inject, Injectable } from '@nestjs/common';
import { DASHBOARD_CONFIG, type DashboardConfig } from '../dashboard.config.js';

/** The services the dashboard talks to over HTTP. */
export type PeerName = 'users' | 'catalog';

export interface PeerResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * HTTP to the other services, at the URLs of the validated config, each call bounded by
 * `peerTimeoutMs`. A peer that does not answer becomes a 502 naming it, never a hang.
 */
@Injectable()
export class PeerClient {
  constructor(@Inject(DASHBOARD_CONFIG) private readonly config: DashboardConfig) {}

  urlOf(peer: PeerName): string {
    return peer === 'users' ? this.config.usersUrl : this.config.catalogUrl;
  }

  /** `path` starts with `/`; a JSON `body` is sent as such. Throws {@link BadGatewayException} when the peer is unreachable. */
  async request(peer: PeerName, path: string, init: { method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<PeerResponse> {
    try {
      const response = await fetch(`${this.urlOf(peer)}${path}`, {
        method: init.method ?? 'GET',
        headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(init.timeoutMs ?? this.config.peerTimeoutMs),
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
      throw new BadGatewayException(`${peer} at ${this.urlOf(peer)} did not answer ${path}: ${reason}`);
    }
  }
}
