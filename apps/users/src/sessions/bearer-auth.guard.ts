import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { SessionStore } from './session.store.js';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: { id: number };
  sessionToken?: string;
}

/** `Authorization: Bearer <token>` → `request.user`; anything else is a 401. */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(private readonly sessions: SessionStore) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header)?.[1] : undefined;
    if (!token) throw new UnauthorizedException('send Authorization: Bearer <token> (POST /sessions gives one)');
    const session = await this.sessions.touch(token);
    if (!session) throw new UnauthorizedException('invalid or expired session');
    request.user = { id: session.userId };
    request.sessionToken = token;
    return true;
  }
}
