import type { User } from './user.entity.js';

/** A user as the API and the cache hold it: plain JSON, dates as ISO strings. */
export interface UserView {
  id: number;
  name: string;
  email: string;
  createdAt: string;
  updatedAt: string;
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export interface UserPage {
  page: number;
  limit: number;
  total: number;
  items: UserView[];
}
