import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';

const ID_PATTERN = /^[1-9][0-9]{0,15}$/;

/**
 * Ids are positive integers up to 2^53 - 1, written plainly (`42`, not `042`, `4.2e1` or `-1`).
 * Anything else is a 400 and never reaches a cache key.
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: unknown): number {
    const id = typeof value === 'string' && ID_PATTERN.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(id)) {
      throw new BadRequestException('id must be a positive integer (1 to 9007199254740991)');
    }
    return id;
  }
}
