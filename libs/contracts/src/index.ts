export {
  EVENT_STREAMS,
  ORDER_CREATED,
  type OrderCreatedPayload,
  type UserChangedPayload,
  type UserEventType,
} from './event-streams.js';
