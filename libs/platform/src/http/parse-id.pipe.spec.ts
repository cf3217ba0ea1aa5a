import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException } from '@nestjs/common';
import { ParseIdPipe } from './parse-id.pipe.js';

describe('ParseIdPipe', () => {
  const pipe = new ParseIdPipe();

  it('accepts plain positive integers up to 2^53 - 1', () => {
    assert.equal(pipe.transform('1'), 1);
    assert.equal(pipe.transform('9007199254740991'), 9007199254740991);
  });

  for (const bad of ['0', '01', '-1', '1e3', '0x10', '1.0', ' 1', '1 ', '1:2', '*', '{1}', '9007199254740992', '99999999999999999', 'é', '', 1000]) {
    it(`rejects ${JSON.stringify(bad)} with a 400`, () => {
      assert.throws(() => pipe.transform(bad), BadRequestException);
    });
  }
});
