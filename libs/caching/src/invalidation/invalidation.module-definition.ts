import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { InvalidationModuleOptions } from './invalidation.options.js';

export const { ConfigurableModuleClass: InvalidationConfigurableModule, MODULE_OPTIONS_TOKEN: INVALIDATION_OPTIONS } =
  new ConfigurableModuleBuilder<InvalidationModuleOptions>().setClassMethodName('forFeature').build();
