import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type CacheRead, ServeCacheRead } from '@app/caching';
import { ParseIdPipe } from '@app/platform';
import { CreateUserDto } from './dto/create-user.dto.js';
import { ListUsersQuery } from './dto/list-users.query.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import type { UserPage, UserView } from './user.view.js';
import { type UserSummary, UserSummaryService } from './user-summary.service.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly summaries: UserSummaryService,
  ) {}

  @Post()
  create(@Body() dto: CreateUserDto): Promise<UserView> {
    return this.users.create(dto);
  }

  @Get()
  @ServeCacheRead()
  list(@Query() query: ListUsersQuery): Promise<CacheRead<UserPage>> {
    return this.users.list(query.page, query.limit);
  }

  @Get(':id')
  @ServeCacheRead({ notFound: 'user :id not found' })
  findOne(@Param('id', ParseIdPipe) id: number): Promise<CacheRead<UserView>> {
    return this.users.profile(id);
  }

  /** Profile plus order figures, read together in one slot-safe round trip. */
  @Get(':id/summary')
  @ServeCacheRead({ notFound: 'user :id not found' })
  summary(@Param('id', ParseIdPipe) id: number): Promise<CacheRead<UserSummary>> {
    return this.summaries.summary(id);
  }

  @Put(':id')
  update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateUserDto): Promise<UserView> {
    return this.users.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', ParseIdPipe) id: number): Promise<void> {
    await this.users.remove(id);
  }
}
