import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';

const VISITOR_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The header a client may send to be counted as one visitor across addresses (a cookie id, a device id). */
export const VISITOR_ID_HEADER = 'x-visitor-id';

/** The visitor to count: the header when sent (validated), otherwise the client address. */
export function visitorIdOf(header: string | string[] | undefined, ip: string | undefined): string {
  if (header === undefined) return `ip:${ip ?? 'unknown'}`;
  const value = Array.isArray(header) ? header[0] : header;
  if (!VISITOR_ID.test(value)) throw new BadRequestException(`${VISITOR_ID_HEADER} must be 1-64 letters, digits, dashes or underscores`);
  return `id:${value}`;
}

interface VisitorRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
}

/**
 * The visitor of this request ({@link visitorIdOf}) as a route parameter: one parameter where
 * `@Headers(VISITOR_ID_HEADER)` and `@Ip()` would be two (Nest resolves, and pipes, each one).
 *
 * @example
 * view(@Param('id', ParseIdPipe) id: number, @VisitorId() visitor: string) {}
 */
export const VisitorId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<VisitorRequest>();
  return visitorIdOf(request.headers[VISITOR_ID_HEADER], request.ip);
});
