import { Module } from '@nestjs/common';
import { ObservabilityModule } from '../observability/observability.module.js';
import { PlaygroundController } from './playground.controller.js';
import { PlaygroundService } from './playground.service.js';

@Module({ imports: [ObservabilityModule], controllers: [PlaygroundController], providers: [PlaygroundService] })
export class PlaygroundModule {}
