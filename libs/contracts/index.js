// Runtime door for `@app/contracts`: the root `tsc` build writes the library to dist/.
export * from '../../dist/libs/contracts/src/index.js';
