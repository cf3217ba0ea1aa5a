import type { RedisClient } from '../redis/redis.client-factory.js';
import { entryTimeMs, type WriteBehindKeys } from './write-behind.keys.js';
import { PAYLOAD_FIELD } from './write-behind.queue.js';

/** An entry as read from Redis; `body` is null when the entry was deleted while pending. */
export interface StreamEntry {
  id: string;
  body: string | null;
  deliveries: number;
}

export interface StreamFigures {
  length: number;
  pending: number;
  undelivered: number | null;
  oldestPendingAgeMs: number;
  lagMs: number;
}

type ReadReply = [string, [string, string[] | null][]][] | null;

/**
 * Every Redis command of one topic's consumer. Blocking reads go on the connection the
 * caller passes (its own); everything else on the shared client, with its command timeout.
 */
export class WriteBehindStream {
  constructor(
    private readonly redis: RedisClient,
    readonly keys: WriteBehindKeys,
    private readonly group: string,
    private readonly consumer: string,
  ) {}

  /** Creates the group at id 0 (so entries enqueued before it are consumed too), and the stream with it. */
  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.keys.stream, this.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!/BUSYGROUP/.test((error as Error).message)) throw error;
    }
  }

  /** New entries (`>`), waiting up to `blockMs` for the first, on the blocking connection `via`. */
  async readNew(via: RedisClient, count: number, blockMs: number): Promise<StreamEntry[]> {
    const reply = (await via.xreadgroup(
      'GROUP', this.group, this.consumer, 'COUNT', count, 'BLOCK', Math.max(1, Math.round(blockMs)), 'STREAMS', this.keys.stream, '>',
    )) as ReadReply;
    return entriesOf(reply).map((entry) => ({ ...entry, deliveries: 1 }));
  }

  /** This consumer's own pending entries after `afterId` (what it held when it last stopped). */
  async readOwnPending(afterId: string, count: number): Promise<StreamEntry[]> {
    const reply = (await this.redis.xreadgroup('GROUP', this.group, this.consumer, 'COUNT', count, 'STREAMS', this.keys.stream, afterId)) as ReadReply;
    return this.withDeliveries(entriesOf(reply));
  }

  /** XAUTOCLAIM: takes over entries idle longer than `minIdleMs` from any consumer. `next` is '0-0' after the last page. */
  async claimIdle(cursor: string, count: number, minIdleMs: number): Promise<{ next: string; entries: StreamEntry[]; deletedIds: string[] }> {
    const [next, claimed, deletedIds = []] = (await this.redis.xautoclaim(
      this.keys.stream, this.group, this.consumer, minIdleMs, cursor, 'COUNT', count,
    )) as [string, [string, string[] | null][], string[]?];
    const entries = claimed.map(([id, fields]) => ({ id, body: bodyOf(fields) }));
    return { next, entries: await this.withDeliveries(entries), deletedIds };
  }

  /** Resets the idle time of entries this consumer still works on (JUSTID: the delivery count stays). */
  async keepClaimed(ids: string[]): Promise<void> {
    if (ids.length) await this.redis.xclaim(this.keys.stream, this.group, this.consumer, 0, ...ids, 'JUSTID');
  }

  async ack(ids: string[]): Promise<void> {
    if (ids.length) await this.redis.xack(this.keys.stream, this.group, ...ids);
  }

  /** Moves an entry to `<topic>:dlq` and acknowledges it, atomically (both keys share a hash slot). */
  async deadLetter(entry: StreamEntry, reason: string, error: string): Promise<void> {
    const replies = await this.redis
      .multi()
      .xadd(this.keys.deadLetters, '*', 'entryId', entry.id, PAYLOAD_FIELD, entry.body ?? '', 'reason', reason, 'error', error, 'deliveries', String(entry.deliveries))
      .xack(this.keys.stream, this.group, entry.id)
      .exec();
    const failed = replies?.find(([replyError]) => replyError);
    if (!replies || failed) throw failed?.[0] ?? new Error('dead-letter transaction aborted');
  }

  /** Length, pending, undelivered and ages, from one atomic snapshot plus one XRANGE. */
  async figures(): Promise<StreamFigures & { trimBelowId: string | undefined }> {
    const replies = await this.redis.multi().xlen(this.keys.stream).xinfo('GROUPS', this.keys.stream).xpending(this.keys.stream, this.group).time().exec();
    const failed = replies?.find(([replyError]) => replyError);
    if (!replies || failed) throw failed?.[0] ?? new Error('stats transaction aborted');
    const [length, groups, summary, [seconds, micros]] = replies.map(([, value]) => value) as [number, unknown[][], [number, string | null], [string, string]];
    const nowMs = Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000);
    const group = groups.map(fieldsToRecord).find((g) => g.name === this.group);
    if (!group) throw new Error(`consumer group "${this.group}" of ${this.keys.stream} does not exist`);
    const lastDeliveredId = String(group['last-delivered-id']);
    const [pending, oldestPendingId] = summary;
    const [firstUndelivered] = (await this.redis.xrange(this.keys.stream, `(${lastDeliveredId}`, '+', 'COUNT', 1)) as [string, string[]][];
    const oldestPendingAgeMs = oldestPendingId ? Math.max(0, nowMs - entryTimeMs(oldestPendingId)) : 0;
    const undeliveredAgeMs = firstUndelivered ? Math.max(0, nowMs - entryTimeMs(firstUndelivered[0])) : 0;
    return {
      length,
      pending,
      undelivered: group.lag === null || group.lag === undefined ? null : Number(group.lag),
      oldestPendingAgeMs,
      lagMs: Math.max(oldestPendingAgeMs, undeliveredAgeMs),
      // Everything below the oldest pending entry (or, with none pending, the last delivered one) is flushed and acknowledged.
      trimBelowId: oldestPendingId ?? (lastDeliveredId === '0-0' ? undefined : lastDeliveredId),
    };
  }

  /** Drops flushed entries (`XTRIM MINID ~`): never one that is pending or undelivered. */
  async trimBelow(id: string): Promise<void> {
    await this.redis.xtrim(this.keys.stream, 'MINID', '~', id);
  }

  private async withDeliveries(entries: Omit<StreamEntry, 'deliveries'>[]): Promise<StreamEntry[]> {
    if (entries.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { id } of entries) pipeline.xpending(this.keys.stream, this.group, id, id, 1);
    const replies = (await pipeline.exec()) ?? [];
    return entries.map((entry, i) => {
      const [error, rows] = replies[i] ?? [];
      const row = !error && Array.isArray(rows) ? (rows[0] as [string, string, number, number] | undefined) : undefined;
      return { ...entry, deliveries: row ? Number(row[3]) : 1 };
    });
  }
}

function entriesOf(reply: ReadReply): Omit<StreamEntry, 'deliveries'>[] {
  return (reply?.[0]?.[1] ?? []).map(([id, fields]) => ({ id, body: bodyOf(fields) }));
}

function bodyOf(fields: string[] | null): string | null {
  if (!fields) return null;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === PAYLOAD_FIELD) return fields[i + 1];
  return '';
}

function fieldsToRecord(flat: unknown[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = flat[i + 1];
  return record;
}
