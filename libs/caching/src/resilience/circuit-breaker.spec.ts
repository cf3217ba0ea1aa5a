import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures and refuses calls while open', () => {
    let now = 0;
    const breaker = new CircuitBreaker(3, 1_000, () => now);
    assert.equal(breaker.failure(), false);
    assert.equal(breaker.failure(), false);
    assert.equal(breaker.allow(), true);
    assert.equal(breaker.failure(), true);
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.allow(), false);
    now = 999;
    assert.equal(breaker.allow(), false);
  });

  it('lets exactly one probe through after the open period, and closes on its success', () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 100, () => now);
    breaker.failure();
    now = 100;
    assert.equal(breaker.allow(), true);
    assert.equal(breaker.allow(), false);
    breaker.success();
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.allow(), true);
  });

  it('reopens when the probe fails', () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 100, () => now);
    breaker.failure();
    now = 150;
    assert.equal(breaker.allow(), true);
    breaker.failure();
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.allow(), false);
  });

  it('forgets failures that are not consecutive', () => {
    const breaker = new CircuitBreaker(2, 100);
    breaker.failure();
    breaker.success();
    breaker.failure();
    assert.equal(breaker.state, 'closed');
  });
});
