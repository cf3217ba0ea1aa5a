import { ValidationPipe } from '@nestjs/common';

/**
 * Nest's ValidationPipe with `transform: true` also converts primitive route parameters by
 * their TypeScript type (`'1e3'` → 1000, `'0x10'` → 16) before any parameter pipe sees them.
 * Here primitives stay as sent, so `ParseIdPipe` judges the raw text; DTOs still transform.
 */
export class StrictValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown): unknown {
    return value;
  }
}
