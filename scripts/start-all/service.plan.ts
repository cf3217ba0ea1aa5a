import { ConfigValidationError, parseEnv, type PlatformConfig, SERVICE_DEFAULT_PORTS, type ServiceName } from '@app/platform';

/** What `npm start` launches for one service: its validated config and the environment it gets. */
export interface ServicePlan {
  name: ServiceName;
  config: PlatformConfig;
  env: NodeJS.ProcessEnv;
  /** Where a browser on this machine reaches it (a wildcard bind address becomes 127.0.0.1). */
  baseUrl: string;
}

/** `USERS_PORT`, `CATALOG_PORT`, `DASHBOARD_PORT`: one `PORT` cannot serve three processes. */
export const portVariable = (service: ServiceName) => `${service.toUpperCase()}_PORT`;

/**
 * Validates every service's configuration before anything starts, so a bad value stops
 * `npm start` with one line instead of one dead child. Throws `ConfigValidationError`.
 */
export function planServices(env: NodeJS.ProcessEnv): ServicePlan[] {
  const plans = (Object.keys(SERVICE_DEFAULT_PORTS) as ServiceName[]).map((name) => {
    const port = env[portVariable(name)];
    const serviceEnv: NodeJS.ProcessEnv = { ...env, PORT: port ?? String(SERVICE_DEFAULT_PORTS[name]) };
    let config: PlatformConfig;
    try {
      config = parseEnv(serviceEnv, name);
    } catch (error) {
      // parseEnv names PORT; the person set CATALOG_PORT (or its siblings).
      if (port === undefined || !(error instanceof ConfigValidationError)) throw error;
      throw new ConfigValidationError(error.message.replace(/^PORT /, `${portVariable(name)} `));
    }
    return { name, config, env: serviceEnv, baseUrl: `http://${browsableHost(config.host)}:${config.port}` };
  });
  // The dashboard reads the others' /metrics: point it at the ports they really got, unless told otherwise.
  const urlOf = (name: ServiceName) => plans.find((plan) => plan.name === name)!.baseUrl;
  const dashboard = plans.find((plan) => plan.name === 'dashboard')!;
  dashboard.env = { USERS_URL: urlOf('users'), CATALOG_URL: urlOf('catalog'), ...dashboard.env };
  return plans;
}

function browsableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
