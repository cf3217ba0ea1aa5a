/** Provide an array of terminus `HealthIndicatorFunction`s under this token to extend `/health`. */
export const EXTRA_HEALTH_CHECKS = Symbol('EXTRA_HEALTH_CHECKS');
