import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Post, Req, UnauthorizedException, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { HttpCache, HttpCacheInterceptor } from '@app/caching';
import { UsersService } from '../users/users.service.js';
import { userTag } from '../users/user-cache.keys.js';
import type { UserView } from '../users/user.view.js';
import { type AuthenticatedRequest, BearerAuthGuard } from './bearer-auth.guard.js';
import { CreateSessionDto } from './dto/create-session.dto.js';
import { SessionStore } from './session.store.js';

@ApiTags('sessions')
@Controller()
export class SessionsController {
  constructor(
    private readonly sessions: SessionStore,
    private readonly users: UsersService,
  ) {}

  /** Logs in by email (a demo: no password) and returns an opaque bearer token. */
  @Post('sessions')
  async create(@Body() dto: CreateSessionDto): Promise<{ token: string; userId: number; expiresInMs: number }> {
    const user = await this.users.findByEmail(dto.email);
    if (!user) throw new UnauthorizedException('no user with that email');
    return { ...(await this.sessions.create(user.id)), userId: user.id };
  }

  @Delete('sessions')
  @HttpCode(204)
  @ApiBearerAuth()
  @UseGuards(BearerAuthGuard)
  async destroy(@Req() request: AuthenticatedRequest): Promise<void> {
    await this.sessions.destroy(request.sessionToken!);
  }

  /** The caller's own user: cached per user, sent with `Cache-Control: private`. */
  @Get('me')
  @ApiBearerAuth()
  @UseGuards(BearerAuthGuard)
  @UseInterceptors(HttpCacheInterceptor)
  @HttpCache({ ttlMs: 5 * 60_000, private: true, tags: (request) => [userTag(Number(request.user!.id))] })
  async me(@Req() request: AuthenticatedRequest): Promise<UserView> {
    const { value } = await this.users.profile(request.user!.id);
    if (!value) throw new NotFoundException('your user no longer exists');
    return value;
  }
}
