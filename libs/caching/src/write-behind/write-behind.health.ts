import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { WriteBehindMonitor } from './write-behind.monitor.js';

/**
 * Terminus indicator over every registered topic: down when a topic has more pending
 * entries than its `maxHealthyPending`, its oldest unflushed entry is older than
 * `maxHealthyLagMs` (this also catches a backlog nobody consumes), or Redis does not
 * answer within `timeoutMs`.
 *
 * @example
 * { provide: EXTRA_HEALTH_CHECKS, inject: [WriteBehindHealthIndicator], useFactory: (wb) => [() => wb.check()] }
 */
@Injectable()
export class WriteBehindHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly monitor: WriteBehindMonitor,
  ) {}

  async check(key = 'write-behind', timeoutMs = 1_000) {
    const indicator = this.health.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      const consumers = this.monitor.consumers;
      const all = await Promise.race([Promise.all(consumers.map((c) => c.stats())), timedOut]);
      const problems: string[] = [];
      const topics: Record<string, { pending: number; undelivered: number | null; lagMs: number }> = {};
      all.forEach(({ topic, pending, undelivered, lagMs }, i) => {
        const { maxHealthyPending, maxHealthyLagMs } = consumers[i].options;
        topics[topic] = { pending, undelivered, lagMs };
        if (pending > maxHealthyPending) problems.push(`${topic}: ${pending} pending entries (max ${maxHealthyPending})`);
        if (lagMs > maxHealthyLagMs) problems.push(`${topic}: oldest unflushed entry is ${lagMs} ms old (max ${maxHealthyLagMs})`);
      });
      return problems.length ? indicator.down({ topics, message: problems.join('; ') }) : indicator.up({ topics });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
