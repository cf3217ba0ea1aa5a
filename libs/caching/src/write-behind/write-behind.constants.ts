import { Inject } from '@nestjs/common';

/** Injection token of a topic's {@link WriteBehindConsumer}. */
export function writeBehindConsumerToken(topic: string): string {
  return `WriteBehindConsumer:${topic}`;
}

/** Injects the consumer registered for `topic` (its stats, or a manual start/stop). */
export const InjectWriteBehindConsumer = (topic: string): ParameterDecorator => Inject(writeBehindConsumerToken(topic));
