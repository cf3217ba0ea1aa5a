import 'reflect-metadata';
import { bootstrapService } from '@app/platform';
import { AppModule } from './app.module.js';

await bootstrapService('dashboard', AppModule);
