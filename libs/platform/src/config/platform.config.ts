import { registerAs } from '@nestjs/config';
import { parseEnv, type PlatformConfig, type ServiceName } from './env.schema.js';

/** Config namespace token: inject with `@Inject(PLATFORM_CONFIG)`. */
export const PLATFORM_CONFIG = 'platform';

/** `registerAs` factory for `ConfigModule.forRoot({ load: [...] })`, validated when loaded. */
export const platformConfig = (service: ServiceName) =>
  registerAs(PLATFORM_CONFIG, (): PlatformConfig => parseEnv(process.env, service));
