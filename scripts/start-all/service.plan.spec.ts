import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigValidationError } from '@app/platform';
import { planServices } from './service.plan.js';

describe('planServices', () => {
  it('starts users, catalog and dashboard on 3001, 3002 and 3003 by default', () => {
    const plans = planServices({});
    assert.deepEqual(
      plans.map((plan) => [plan.name, plan.env.PORT, plan.baseUrl]),
      [
        ['users', '3001', 'http://127.0.0.1:3001'],
        ['catalog', '3002', 'http://127.0.0.1:3002'],
        ['dashboard', '3003', 'http://127.0.0.1:3003'],
      ],
    );
  });

  it('takes each port from <SERVICE>_PORT and ignores a shared PORT', () => {
    const plans = planServices({ PORT: '9999', USERS_PORT: '4001', DASHBOARD_PORT: '4003' });
    assert.deepEqual(plans.map((plan) => plan.config.port), [4001, 3002, 4003]);
  });

  it('points the dashboard at the ports users and catalog really got, unless USERS_URL / CATALOG_URL are set', () => {
    const dashboard = planServices({ USERS_PORT: '4001', CATALOG_PORT: '4002' })[2];
    assert.equal(dashboard.env.USERS_URL, 'http://127.0.0.1:4001');
    assert.equal(dashboard.env.CATALOG_URL, 'http://127.0.0.1:4002');
    assert.equal(planServices({ USERS_URL: 'http://users.internal:80' })[2].env.USERS_URL, 'http://users.internal:80');
  });

  it('shows a wildcard bind address as 127.0.0.1 and keeps a named host', () => {
    assert.equal(planServices({ HOST: '0.0.0.0' })[0].baseUrl, 'http://127.0.0.1:3001');
    assert.equal(planServices({ HOST: 'localhost' })[0].baseUrl, 'http://localhost:3001');
  });

  it('passes the rest of the environment through to every service', () => {
    const plans = planServices({ CACHE_PREFIX: 'demo:', DATABASE_URL: 'postgres://db.example:5432/app' });
    for (const plan of plans) {
      assert.equal(plan.env.CACHE_PREFIX, 'demo:');
      assert.equal(plan.config.databaseUrl, 'postgres://db.example:5432/app');
    }
  });

  it('refuses a bad value before anything starts', () => {
    assert.throws(() => planServices({ CATALOG_PORT: 'eighty' }), {
      name: 'ConfigValidationError',
      message: 'CATALOG_PORT must be a whole number from 0 to 65535 (got "eighty")',
    });
    assert.throws(() => planServices({ REDIS_URL: 'http://nope' }), ConfigValidationError);
  });
});
