/** What an invalidation acts on: one entry, every entry of a tag, or a group's generation. */
export type InvalidationKind = 'key' | 'tag' | 'generation';

export interface MissedInvalidation {
  kind: InvalidationKind;
  /** The entry's key, the tag's name or the generation's name. */
  name: string;
  /** Counts the misses of this invalidation: a replay settles only the misses it saw. */
  misses: number;
}

/**
 * Invalidations that did not reach Redis (down, slow, circuit open), kept until a replay lands
 * (see {@link InvalidationReplay}). Each is kept once however often it was missed: replaying it
 * once after the outage is enough. One missed again while its replay was on the wire stays
 * pending. Bounded: past `capacity` the oldest is dropped, and the caller told which.
 */
export class MissedInvalidations {
  /** Insertion-ordered: the first is the oldest. */
  private readonly pending = new Map<string, MissedInvalidation>();
  /** Pending tag invalidations: they name keys nobody can list while Redis is away. */
  private tags = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.pending.size;
  }

  /** Whether a read of `key` from the cache could return what a pending invalidation removes. */
  coversKey(key: string): boolean {
    return this.pending.size > 0 && (this.tags > 0 || this.pending.has(idOf('key', key)));
  }

  /** Whether the group's generation in Redis is older than a pending bump. */
  coversGeneration(name: string): boolean {
    return this.pending.size > 0 && this.pending.has(idOf('generation', name));
  }

  /**
   * Records a missed invalidation. `added` is false when it was pending already; `dropped` is
   * the oldest one, given up to make room.
   */
  add(kind: InvalidationKind, name: string): { added: boolean; dropped?: MissedInvalidation } {
    const id = idOf(kind, name);
    const pending = this.pending.get(id);
    if (pending) {
      pending.misses += 1;
      return { added: false };
    }
    let dropped: MissedInvalidation | undefined;
    if (this.pending.size >= this.capacity) {
      dropped = this.pending.values().next().value!;
      this.delete(dropped);
    }
    this.pending.set(id, { kind, name, misses: 1 });
    if (kind === 'tag') this.tags += 1;
    return { added: true, dropped };
  }

  /** The pending invalidations, oldest first, as they are now. */
  list(): MissedInvalidation[] {
    return [...this.pending.values()].map((invalidation) => ({ ...invalidation }));
  }

  /** Its replay landed: no longer pending, unless it was missed again since it was listed. */
  settle(listed: MissedInvalidation): void {
    if (this.pending.get(idOf(listed.kind, listed.name))?.misses === listed.misses) this.delete(listed);
  }

  clear(): void {
    this.pending.clear();
    this.tags = 0;
  }

  private delete({ kind, name }: MissedInvalidation): void {
    this.pending.delete(idOf(kind, name));
    if (kind === 'tag') this.tags -= 1;
  }
}

function idOf(kind: InvalidationKind, name: string): string {
  return `${kind}:${name}`;
}
