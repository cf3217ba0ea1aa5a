import { PageQuery } from '@app/platform';

export class ListUsersQuery extends PageQuery {}
