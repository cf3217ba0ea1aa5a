import { HttpException, HttpStatus } from '@nestjs/common';

/** A 304 for a matching `If-None-Match`. Thrown, so neither adapter overrides the status; both send no body for 304. */
export class NotModifiedException extends HttpException {
  constructor() {
    super('', HttpStatus.NOT_MODIFIED);
  }
}
